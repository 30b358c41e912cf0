// "Sign in with Microsoft" on the managers' sign-in page (console and Entra's Authorize). These
// two steps of the interaction live in the single sign-on scope because the kept sign-in is bound
// to the browser by a cookie of ours; the sign-in itself ends like a password sign-in.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { enabledTenant, interactionContext, type InteractionContext } from '../oauth/interaction/context.ts';
import { loadDetails } from '../oauth/interaction/form.ts';
import { domainPage, loginPage } from '../oauth/interaction/pages.ts';
import { signInWithMicrosoft } from '../oauth/interaction/login.ts';
import { loadSsoConfig } from './config-store.ts';
import { managerDonePath, takeManagerSignIn } from './manager-sign-in.ts';
import { spUrls } from './urls.ts';

type Req = FastifyRequest<{ Params: { uid: string } }>;

export async function managerRoutes(app: FastifyInstance, deps: { config: Config; db: Db }): Promise<void> {
  let ctx: InteractionContext | null = null;
  // The OAuth service (provider, form key, throttle) is the OAuth plugin's decoration: read at the
  // first request, when every plugin has loaded.
  const context = () => {
    const oauth = app.oauth as typeof app.oauth & { csrfKey: Buffer };
    return (ctx ??= interactionContext({ config: deps.config, db: deps.db, provider: oauth.provider, csrfKey: oauth.csrfKey, throttle: oauth.throttle }));
  };
  app.get<{ Params: { uid: string } }>('/interaction/:uid/login/microsoft', (req, reply) => start(context(), req, reply));
  app.get<{ Params: { uid: string } }>('/interaction/:uid/login/microsoft/done', (req, reply) => done(context(), req, reply));
}

/** The interaction of this path and its chosen, enabled tenant; null once the page that says
 * otherwise has been sent. */
async function interactionTenant(ctx: InteractionContext, req: Req, reply: FastifyReply) {
  const d = await loadDetails(ctx, req, reply);
  if (!d) return null;
  const tenant = await enabledTenant(ctx, d.result?.tenantId);
  if (tenant && d.uid === req.params.uid) return { d, tenant };
  await domainPage(ctx, reply, d, 400, 'Choose your domain first.');
  return null;
}

/** Sends the browser to the tenant's Entra, to come back to the interaction's done step. */
async function start(ctx: InteractionContext, req: Req, reply: FastifyReply) {
  const at = await interactionTenant(ctx, req, reply);
  if (!at) return reply;
  const { d, tenant } = at;
  const cfg = await loadSsoConfig(ctx.db, tenant.id);
  if (!cfg) return loginPage(ctx, reply, d, tenant, 400, `${tenant.name} has not set up sign-in with Microsoft. Sign in with your username and password.`);
  const urls = spUrls(ctx.config, tenant.id);
  const target = new URL(cfg.protocol === 'saml' ? urls.sign_on_url : urls.oidc_login_url);
  target.searchParams.set('return', managerDonePath(d.uid));
  return reply.redirect(target.pathname + target.search, 303);
}

/** Back from Entra: the sign-in kept for this interaction in this browser, once. */
async function done(ctx: InteractionContext, req: Req, reply: FastifyReply) {
  const at = await interactionTenant(ctx, req, reply);
  if (!at) return reply;
  const { d, tenant } = at;
  const taken = await takeManagerSignIn(ctx.db, req, reply, tenant.id, d.uid);
  if (!taken) return loginPage(ctx, reply, d, tenant, 403, 'The sign-in with Microsoft did not finish in this browser, or was already used. Choose "Sign in with Microsoft" again.');
  return signInWithMicrosoft(ctx, req, reply, d, tenant, taken);
}
