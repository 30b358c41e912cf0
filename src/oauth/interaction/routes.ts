// Our pages between /oauth/authorize and the redirect back: Go to domain → sign in → consent
// (consent for Entra only). GET /interaction/:uid shows whichever step the interaction has reached;
// each step's form posts to its own path.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyFormbody from '@fastify/formbody';
import { enabledTenant, interactionContext, isEntra, PENDING_LOGIN_MS, type InteractionContext, type InteractionDeps } from './context.ts';
import { loadDetails } from './form.ts';
import { consentPage, domainPage, loginPage } from './pages.ts';
import { interactionError } from './errors.ts';
import { postDomain } from './domain.ts';
import { postLogin } from './login.ts';
import { postConsent } from './consent.ts';

export type { InteractionDeps } from './context.ts';

export async function interactionRoutes(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  const ctx = interactionContext(deps);
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler(interactionError);
  app.get('/interaction/:uid', (req, reply) => showStep(ctx, req, reply));
  app.post('/interaction/:uid/domain', (req, reply) => postDomain(ctx, req, reply));
  app.post('/interaction/:uid/login', (req, reply) => postLogin(ctx, req, reply));
  app.post('/interaction/:uid/consent', (req, reply) => postConsent(ctx, req, reply));
}

/** `?step=domain` is the sign-in page's "Use a different domain" link back to the first step. */
async function showStep(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply) {
  const d = await loadDetails(ctx, req, reply);
  if (!d) return reply;
  const q = req.query as Record<string, unknown>;
  const state = d.result ?? {};
  const tenant = q.step === 'domain' ? null : await enabledTenant(ctx, state.tenantId);
  if (!tenant) return domainPage(ctx, reply, d);
  if (isEntra(ctx, d) && state.pendingLogin && Date.now() - state.pendingLogin.at < PENDING_LOGIN_MS) {
    return consentPage(ctx, reply, d, tenant, state.pendingLogin.username);
  }
  return loginPage(ctx, reply, d, tenant);
}
