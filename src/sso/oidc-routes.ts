// OpenID Connect endpoints: the per-tenant start and the one shared redirect URI (the tenant comes
// from the server-side state). The state is also bound to this browser by a short cookie, so a
// code obtained by someone else cannot be planted in a victim's browser (login CSRF).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findTenantById, type Tenant } from '../db/tenants.ts';
import { findOidcConfigsByIssuer } from '../db/sso-config.ts';
import { findSsoRequestOrigin } from '../db/sso-requests.ts';
import { loadSsoConfig, type MatchAttribute } from './config-store.ts';
import { completeSignIn } from './complete.ts';
import { finishOidc, startOidc } from './oidc.ts';
import { Refusal } from './refusals.ts';
import { page, refuse } from './render.ts';
import { recordSsoEvent } from './events.ts';
import { destroySessionsBySid } from './sessions.ts';
import { returnToFrom } from './return-to.ts';
import { consumeRequest } from './saml-request.ts';
import { ssoTenant } from './tenant-context.ts';
import { spUrls } from './urls.ts';

const STATE_COOKIE = 'sl_sso_state';
const CALLBACK_PATH = '/sso/oidc/callback';
const LOGOUT_PATH = '/sso/oidc/logout';

export async function oidcRoutes(app: FastifyInstance, deps: { config: Config; db: Db }): Promise<void> {
  const { config, db } = deps;
  const secure = config.publicUrl.startsWith('https:');
  const stateCookie = { path: CALLBACK_PATH, httpOnly: true, sameSite: 'lax' as const, secure, maxAge: 3600 };

  async function refused(reply: FastifyReply, err: unknown, tenant?: Tenant, subject: string | null = null) {
    if (!(err instanceof Refusal)) throw err;
    const t = tenant ?? (err as Refusal & { tenant?: Tenant }).tenant;
    return refuse(reply, db, err, { tenantId: t?.id, tenantDomain: t?.domain, protocol: 'oidc', subject });
  }

  app.get<{ Params: { tenantId: string }; Querystring: { return?: string; mode?: string; login_hint?: string } }>('/sso/:tenantId/oidc/login', async (req, reply) => {
    try {
      const { tenant, cfg } = await ssoTenant(db, req.params.tenantId, 'oidc');
      const loginHint = typeof req.query.login_hint === 'string' ? req.query.login_hint.slice(0, 200) : null;
      const r = await startOidc(db, config, cfg, { redirectUri: spUrls(config, tenant.id).oidc_redirect_uri, returnTo: returnToFrom(req.query), loginHint });
      reply.setCookie(STATE_COOKIE, r.state, stateCookie);
      return reply.redirect(r.url, 302);
    } catch (err) {
      return refused(reply, err);
    }
  });

  // OpenID Connect Front-Channel Logout 1.0: Entra loads this URL in an iframe on its sign-out page.
  // Cross-site iframes carry no Lax cookie, so the session is found by the sid Entra put in the ID
  // token at sign-in, under the issuer that names the tenant. Answers 200 whatever it finds, and may
  // be framed by the issuer's origin only.
  app.get<{ Querystring: { iss?: string; sid?: string } }>(LOGOUT_PATH, async (req, reply) => {
    const iss = typeof req.query.iss === 'string' ? req.query.iss.slice(0, 500).replace(/\/+$/, '') : '';
    const sid = typeof req.query.sid === 'string' ? req.query.sid.slice(0, 200) : '';
    const ancestors = new Set<string>();
    if (iss && sid) {
      for (const cfg of await findOidcConfigsByIssuer(db, iss)) {
        ancestors.add(new URL(cfg.oidcIssuer).origin);
        for (const s of await destroySessionsBySid(db, cfg.tenantId, sid)) {
          await recordSsoEvent(db, { tenantId: cfg.tenantId, protocol: 'oidc', outcome: 'logout', reason: 'front-channel logout from Entra', userId: s.userId }, req);
        }
      }
    }
    reply.header('content-security-policy', `default-src 'none'; frame-ancestors ${ancestors.size ? [...ancestors].join(' ') : "'none'"}`);
    return page(reply, 200, 'my/signed-out', { title: 'Signed out', heading: 'You are signed out', message: 'You have been signed out of SecureLogin.' });
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(CALLBACK_PATH, async (req, reply) => {
    const state = typeof req.query.state === 'string' ? req.query.state.slice(0, 200) : '';
    const bound = req.cookies[STATE_COOKIE];
    reply.clearCookie(STATE_COOKIE, { path: CALLBACK_PATH });
    const pending = state ? await findSsoRequestOrigin(db, state) : null;
    const tenant = pending ? ((await findTenantById(db, pending.tenantId)) ?? undefined) : undefined;
    let subject: string | null = null;
    try {
      if (!pending || pending.kind !== 'oidc' || !tenant) throw new Refusal('unknown_request', 'unknown state');
      if (!bound || bound !== state) throw new Refusal('unknown_request', 'state not started in this browser');
      const request = await consumeRequest(db, state, tenant.id, 'oidc');
      if (!request) throw new Refusal('unknown_request', 'state already used or expired');
      if (!tenant.enabled) throw new Refusal('tenant_disabled');
      const cfg = await loadSsoConfig(db, tenant.id);
      if (!cfg || cfg.protocol !== 'oidc') throw new Refusal('sso_not_configured');
      if (typeof req.query.error === 'string') throw new Refusal('idp_error', `${req.query.error}: ${req.query.error_description ?? ''}`.slice(0, 300));
      const currentUrl = new URL(req.url, config.publicUrl);
      const identity = await finishOidc(config, cfg, { currentUrl, state, nonce: request.nonce!, codeVerifier: request.codeVerifier! });
      subject = identity.subject;
      return await completeSignIn(reply, deps, { tenantId: tenant.id, matchAttribute: cfg.matchAttribute as MatchAttribute, identity, returnTo: request.returnTo });
    } catch (err) {
      return refused(reply, err, tenant, subject);
    }
  });
}
