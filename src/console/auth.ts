// Console sign-in, session check, CSRF and role gate (issue 4 §1, §8).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import {
  consoleCookieKey,
  createConsoleSession,
  deleteConsoleSession,
  hashSessionValue,
  loadConsoleSession,
  managerForSignIn,
  touchConsoleSession,
} from '../db/console-sessions.ts';
import { FLOW_COOKIE, SESSION_COOKIE, render, str } from './context.ts';
import { loadDataKey } from '../secrets/data-key.ts';
import { newFlow, openFlow, pkceChallenge, safeEqual, safeNext, sealFlow } from './flow-cookie.ts';
import { SignInError, type OidcClient } from './oidc-client.ts';

// Sliding the idle window costs a write; once a minute is precise enough for a 30-minute timeout.
const TOUCH_EVERY_MS = 60_000;

/** Paths reachable without a session. */
const PUBLIC = new Set(['/console/login', '/console/callback', '/console/signed-out', '/console/assets/console.css']);
/** Paths reachable while a password change is pending. */
const DURING_PASSWORD_CHANGE = new Set(['/console/password', '/console/logout']);
/** POSTs every signed-in manager may make about themselves. */
const SELF_SERVICE = new Set(['/console/password', '/console/logout']);
// Viewers may read the managers list and the audit log (who can act, and what was done).
const ADMIN_PAGES = ['/console/api-clients'];

export function cookieOptions(config: Config, maxAgeSeconds?: number) {
  return {
    path: '/console',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https:'),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** The matched route pattern (e.g. /console/managers/:id/role), not the raw URL: percent-encoding
 * or letter case in the request cannot dodge the checks below. */
function pathOf(req: FastifyRequest): string {
  return (req.routeOptions.url ?? req.url.split('?')[0]).replace(/(.)\/+$/, '$1');
}

export async function registerAuth(app: FastifyInstance, deps: { config: Config; db: Db; oidc: OidcClient }) {
  const { config, db, oidc } = deps;
  let keyPromise: Promise<Buffer> | null = null;
  const flowKey = () => (keyPromise ??= consoleCookieKey(db, loadDataKey(config).key).catch((e: unknown) => {
    keyPromise = null;
    throw e;
  }));

  app.decorateRequest('consolePrincipal', null);

  app.addHook('preHandler', async (req, reply) => {
    const path = pathOf(req).toLowerCase();
    if (PUBLIC.has(path)) return;
    const raw = req.cookies[SESSION_COOKIE];
    const p = raw ? await loadConsoleSession(db, raw, config.console.idleTimeoutSeconds) : null;
    if (!p) {
      if (raw) reply.clearCookie(SESSION_COOKIE, cookieOptions(config));
      if (req.method === 'GET' || req.method === 'HEAD') {
        return reply.redirect(`/console/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      reply.code(401);
      return render(reply, 'signed-out', { title: 'Session ended', expired: true });
    }
    req.consolePrincipal = p;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // CSRF: a per-session token in every form, compared in constant time (issue 4 §8). SameSite=Lax
      // already blocks cross-site POSTs in current browsers; the token covers older ones and
      // same-site attackers.
      const body = (req.body ?? {}) as Record<string, unknown>;
      const sent = str(body._csrf, 200) || str(req.headers['x-csrf-token'], 200);
      if (!sent || !safeEqual(sent, p.csrfToken)) {
        reply.code(403);
        return render(reply, 'forbidden', { title: 'Not allowed', message: 'This form has expired. Go back, reload the page and try again.' });
      }
    }
    if (p.mustChangePassword && !DURING_PASSWORD_CHANGE.has(path)) {
      return reply.redirect('/console/password', 303);
    }
    // Viewers read; every change and the admin-only pages need the admin role (issue 4 §8).
    // Enforced here, for every route, rather than per handler, so a new POST cannot forget it.
    const write = req.method !== 'GET' && req.method !== 'HEAD' && !SELF_SERVICE.has(path);
    if (p.role !== 'admin' && (write || ADMIN_PAGES.some((a) => path === a || path.startsWith(`${a}/`)))) {
      reply.code(403);
      return render(reply, 'forbidden', { title: 'Not allowed', message: 'Only tenant admins can do this. Your account can view the console but not change it.' });
    }
    if (Date.now() - p.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchConsoleSession(db, p.sessionId);
  });

  app.get('/login', async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    const flow = newFlow(next);
    reply.setCookie(FLOW_COOKIE, sealFlow(flow, await flowKey()), cookieOptions(config, 600));
    reply.header('cache-control', 'no-store');
    return reply.redirect(await oidc.authorizeUrl({ state: flow.state, nonce: flow.nonce, challenge: pkceChallenge(flow.verifier) }), 303);
  });

  app.get('/callback', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const flow = openFlow(req.cookies[FLOW_COOKIE], await flowKey());
    reply.clearCookie(FLOW_COOKIE, cookieOptions(config));
    const fail = (message: string, code = 400) => {
      reply.code(code);
      return render(reply, 'sign-in-failed', { title: 'Sign-in did not complete', message });
    };
    if (!flow || !safeEqual(str(q.state, 200), flow.state)) {
      return fail('This sign-in link has expired or was opened in another browser. Start again.');
    }
    if (typeof q.error === 'string') {
      return fail(q.error === 'access_denied' ? 'Sign-in was cancelled or refused.' : 'The sign-in service reported a problem. Start again.');
    }
    const code = str(q.code, 2000);
    if (!code) return fail('The sign-in response was incomplete. Start again.');
    let result;
    try {
      result = await oidc.exchangeCode(code, flow.verifier, flow.nonce);
    } catch (err) {
      if (err instanceof SignInError) {
        req.log.warn({ reason: err.message }, 'console sign-in refused');
        return fail('The sign-in could not be verified. Start again.');
      }
      throw err;
    }
    const m = await managerForSignIn(db, result.claims.sub, typeof result.claims.tenant_id === 'string' ? result.claims.tenant_id : null);
    if (!m) return fail('This account cannot use the console (it is disabled or no longer exists).', 403);
    // A sign-in replaces any session this browser already had (no orphaned, still-valid rows).
    const previous = req.cookies[SESSION_COOKIE];
    if (previous) await deleteConsoleSession(db, hashSessionValue(previous));
    const s = await createConsoleSession(db, {
      tenantId: m.tenantId,
      managerId: m.id,
      idToken: result.idToken,
      absoluteTimeoutSeconds: config.console.absoluteTimeoutSeconds,
    });
    reply.setCookie(SESSION_COOKIE, s.raw, cookieOptions(config));
    return reply.redirect(m.mustChangePassword ? '/console/password' : flow.next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const p = req.consolePrincipal!;
    await deleteConsoleSession(db, p.sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(config));
    const end = await oidc.endSessionUrl(p.idToken);
    return reply.redirect(end ?? '/console/signed-out', 303);
  });

  app.get('/signed-out', async (_req, reply) => {
    return render(reply, 'signed-out', { title: 'Signed out', expired: false });
  });
}
