// The gate in front of every console route: a live session, the form token on every change, the
// forced password change, and the role. Enforced here, for every route, rather than per handler,
// so a new route cannot forget it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { loadConsoleSession, touchConsoleSession, type ConsolePrincipal } from '../db/console-sessions.ts';
import { SESSION_COOKIE, forbidden, render, str } from './context.ts';
import { cookieOptions } from './cookies.ts';
import { safeEqual } from './flow-cookie.ts';

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

interface GateDeps {
  config: Config;
  db: Db;
}

/** The matched route pattern (e.g. /console/managers/:id/role), not the raw URL: percent-encoding
 * or letter case in the request cannot dodge the checks below. */
function pathOf(req: FastifyRequest): string {
  return (req.routeOptions.url ?? req.url.split('?')[0]).replace(/(.)\/+$/, '$1');
}

const isRead = (req: FastifyRequest) => req.method === 'GET' || req.method === 'HEAD';

export function consoleGate(deps: GateDeps) {
  return async function gate(req: FastifyRequest, reply: FastifyReply) {
    const path = pathOf(req).toLowerCase();
    if (PUBLIC.has(path)) return;
    const raw = req.cookies[SESSION_COOKIE];
    const p = raw ? await loadConsoleSession(deps.db, raw, deps.config.console.idleTimeoutSeconds) : null;
    if (!p) return sessionMissing(deps, req, reply);
    req.consolePrincipal = p;
    if (!isRead(req) && !formTokenValid(req, p)) {
      return forbidden(reply, 'This form has expired. Go back, reload the page and try again.');
    }
    if (p.mustChangePassword && !DURING_PASSWORD_CHANGE.has(path)) return reply.redirect('/console/password', 303);
    if (p.role !== 'admin' && needsAdmin(req, path)) {
      return forbidden(reply, 'Only tenant admins can do this. Your account can view the console but not change it.');
    }
    if (Date.now() - p.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchConsoleSession(deps.db, p.sessionId);
  };
}

/** The visitor has no live session: reads go to sign-in and come back; changes are told the
 * session ended (a redirect would lose their form data). */
function sessionMissing(deps: GateDeps, req: FastifyRequest, reply: FastifyReply) {
  if (req.cookies[SESSION_COOKIE]) reply.clearCookie(SESSION_COOKIE, cookieOptions(deps.config));
  if (isRead(req)) return reply.redirect(`/console/login?next=${encodeURIComponent(req.url)}`, 303);
  reply.code(401);
  return render(reply, 'signed-out', { title: 'Session ended', expired: true });
}

/** CSRF: a per-session token in every form, compared in constant time. SameSite=Lax already
 * blocks cross-site POSTs in current browsers; the token covers older ones and same-site attackers. */
function formTokenValid(req: FastifyRequest, p: ConsolePrincipal): boolean {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const sent = str(body._csrf, 200) || str(req.headers['x-csrf-token'], 200);
  return !!sent && safeEqual(sent, p.csrfToken);
}

/** Viewers read; every change (except their own password and sign-out) and the admin-only pages
 * need the admin role. */
function needsAdmin(req: FastifyRequest, path: string): boolean {
  const write = !isRead(req) && !SELF_SERVICE.has(path);
  return write || ADMIN_PAGES.some((a) => path === a || path.startsWith(`${a}/`));
}
