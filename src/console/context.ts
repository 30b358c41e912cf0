// Shared per-request console context: the signed-in principal and page rendering with the layout's
// locals (principal, CSRF token, active nav item). One place sets the no-store and CSRF rules.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsolePrincipal } from '../db/console-sessions.ts';

export const SESSION_COOKIE = 'sl_console';
export const FLOW_COOKIE = 'sl_console_flow';

declare module 'fastify' {
  interface FastifyRequest {
    consolePrincipal: ConsolePrincipal | null;
  }
}

export function principal(req: FastifyRequest): ConsolePrincipal {
  const p = req.consolePrincipal;
  if (!p) throw new Error('console route reached without a session');
  return p;
}

export type Nav = 'overview' | 'connect' | 'users' | 'groups' | 'activity' | 'managers' | 'api-clients' | 'sso' | 'password' | '';

export function render(reply: FastifyReply, view: string, data: Record<string, unknown> & { title: string; nav?: Nav }) {
  const p = reply.request.consolePrincipal;
  reply.header('cache-control', 'no-store');
  return reply.view(`console/${view}`, {
    me: p,
    csrf: p?.csrfToken ?? '',
    nav: '',
    notice: null,
    error: null,
    when,
    ago,
    ...data,
  });
}

export function notFound(reply: FastifyReply, what = 'page') {
  reply.code(404);
  return render(reply, 'not-found', { title: 'Not found', what });
}

export function forbidden(reply: FastifyReply, message: string) {
  reply.code(403);
  return render(reply, 'forbidden', { title: 'Not allowed', message });
}

/** Parses a 1-based page number from the query string. */
export function pageParam(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < 1_000_000 ? n : 1;
}

export function str(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

/** Builds a console URL with query parameters, dropping empty ones (links for paging/filters). */
export function link(path: string, q: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `${path}?${s}` : path;
}

/** "2026-11-28 10:15 UTC": one unambiguous format for every timestamp in the console. */
export function when(d: Date | null | undefined): string {
  if (!d) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "5 minutes ago", for the overview's freshness columns. */
export function ago(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return 'never';
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 60) return 'just now';
  const units: [number, string][] = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [n, name] of units) {
    if (s >= n) {
      const v = Math.floor(s / n);
      return `${v} ${name}${v === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}
