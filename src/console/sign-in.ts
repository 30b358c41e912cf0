// Console sign-in as a first-party OpenID Connect client of our own provider: /console/login starts
// an authorization-code flow with PKCE (its state, nonce and verifier sealed in a short-lived
// cookie), /console/callback turns the code into a console session, /console/logout ends both.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { consoleCookieKey, createConsoleSession, deleteConsoleSession, hashSessionValue, managerForSignIn } from '../db/console-sessions.ts';
import { loadDataKey } from '../secrets/data-key.ts';
import { FLOW_COOKIE, SESSION_COOKIE, render, str } from './context.ts';
import { cookieOptions } from './cookies.ts';
import { newFlow, openFlow, pkceChallenge, safeEqual, safeNext, sealFlow, type FlowState } from './flow-cookie.ts';
import { SignInError, type OidcClient } from './oidc-client.ts';

type SignInResult = Awaited<ReturnType<OidcClient['exchangeCode']>>;

export interface SignInDeps {
  config: Config;
  db: Db;
  oidc: OidcClient;
}

/** The key sealing the flow cookie, read from the database once (and again after a failed read). */
function flowKeyLoader(deps: SignInDeps): () => Promise<Buffer> {
  let keyPromise: Promise<Buffer> | null = null;
  return () => (keyPromise ??= consoleCookieKey(deps.db, loadDataKey(deps.config).key).catch((e: unknown) => {
    keyPromise = null;
    throw e;
  }));
}

export function registerSignIn(app: FastifyInstance, deps: SignInDeps) {
  const flowKey = flowKeyLoader(deps);
  app.get('/login', (req, reply) => startSignIn(deps, flowKey, req, reply));
  app.get('/callback', (req, reply) => finishSignIn(deps, flowKey, req, reply));
  app.post('/logout', (req, reply) => signOut(deps, req, reply));
  app.get('/signed-out', async (_req, reply) => render(reply, 'signed-out', { title: 'Signed out', expired: false }));
}

async function startSignIn(deps: SignInDeps, flowKey: () => Promise<Buffer>, req: FastifyRequest, reply: FastifyReply) {
  const next = safeNext((req.query as Record<string, unknown>).next);
  const flow = newFlow(next);
  reply.setCookie(FLOW_COOKIE, sealFlow(flow, await flowKey()), cookieOptions(deps.config, 600));
  reply.header('cache-control', 'no-store');
  return reply.redirect(await deps.oidc.authorizeUrl({ state: flow.state, nonce: flow.nonce, challenge: pkceChallenge(flow.verifier) }), 303);
}

function signInFailed(reply: FastifyReply, message: string, code = 400) {
  reply.code(code);
  return render(reply, 'sign-in-failed', { title: 'Sign-in did not complete', message });
}

async function finishSignIn(deps: SignInDeps, flowKey: () => Promise<Buffer>, req: FastifyRequest, reply: FastifyReply) {
  const flow = openFlow(req.cookies[FLOW_COOKIE], await flowKey());
  reply.clearCookie(FLOW_COOKIE, cookieOptions(deps.config));
  const outcome = await exchange(deps, req, flow);
  if (typeof outcome === 'string') return signInFailed(reply, outcome);
  const { flow: f, result } = outcome;
  const m = await managerForSignIn(deps.db, result.claims.sub, typeof result.claims.tenant_id === 'string' ? result.claims.tenant_id : null);
  if (!m) return signInFailed(reply, 'This account cannot use the console (it is disabled or no longer exists).', 403);
  // A sign-in replaces any session this browser already had (no orphaned, still-valid rows).
  const previous = req.cookies[SESSION_COOKIE];
  if (previous) await deleteConsoleSession(deps.db, hashSessionValue(previous));
  const s = await createConsoleSession(deps.db, {
    tenantId: m.tenantId,
    managerId: m.id,
    idToken: result.idToken,
    absoluteTimeoutSeconds: deps.config.console.absoluteTimeoutSeconds,
  });
  reply.setCookie(SESSION_COOKIE, s.raw, cookieOptions(deps.config));
  return reply.redirect(m.mustChangePassword ? '/console/password' : f.next, 303);
}

/** The verified ID token for this browser's flow, or the message saying why there is none. */
async function exchange(deps: SignInDeps, req: FastifyRequest, flow: FlowState | null): Promise<{ flow: FlowState; result: SignInResult } | string> {
  const q = req.query as Record<string, unknown>;
  if (!flow || !safeEqual(str(q.state, 200), flow.state)) return 'This sign-in link has expired or was opened in another browser. Start again.';
  if (typeof q.error === 'string') {
    return q.error === 'access_denied' ? 'Sign-in was cancelled or refused.' : 'The sign-in service reported a problem. Start again.';
  }
  const code = str(q.code, 2000);
  if (!code) return 'The sign-in response was incomplete. Start again.';
  try {
    return { flow, result: await deps.oidc.exchangeCode(code, flow.verifier, flow.nonce) };
  } catch (err) {
    if (!(err instanceof SignInError)) throw err;
    req.log.warn({ reason: err.message }, 'console sign-in refused');
    return 'The sign-in could not be verified. Start again.';
  }
}

async function signOut(deps: SignInDeps, req: FastifyRequest, reply: FastifyReply) {
  const p = req.consolePrincipal!;
  await deleteConsoleSession(deps.db, p.sessionId);
  reply.clearCookie(SESSION_COOKIE, cookieOptions(deps.config));
  const end = await deps.oidc.endSessionUrl(p.idToken);
  return reply.redirect(end ?? '/console/signed-out', 303);
}
