// The sign-in flow's state, nonce and PKCE verifier travel in one short-lived cookie, HMAC-signed
// so the browser can hold it but not alter it (RFC 9700 §2.1: state/PKCE bound to the user agent).
// Server-side storage would need a row per abandoned sign-in; a signed 10-minute cookie needs none.
import crypto from 'node:crypto';

export interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  next: string; // console path to return to after sign-in
  exp: number; // epoch ms
}

export const FLOW_TTL_MS = 10 * 60 * 1000;

export function newFlow(next: string, now = Date.now()): FlowState {
  const r = () => crypto.randomBytes(32).toString('base64url');
  return { state: r(), nonce: r(), verifier: r(), next, exp: now + FLOW_TTL_MS };
}

export function pkceChallenge(verifier: string): string {
  return crypto.createHash('sha256').update(verifier).digest('base64url');
}

export function sealFlow(flow: FlowState, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
  const mac = crypto.createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function openFlow(value: string | undefined, key: Buffer, now = Date.now()): FlowState | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot < 1) return null;
  const body = value.slice(0, dot);
  const mac = Buffer.from(value.slice(dot + 1));
  const want = Buffer.from(crypto.createHmac('sha256', key).update(body).digest('base64url'));
  if (mac.length !== want.length || !crypto.timingSafeEqual(mac, want)) return null;
  try {
    const f = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as FlowState;
    if (typeof f.exp !== 'number' || f.exp < now) return null;
    if (![f.state, f.nonce, f.verifier, f.next].every((x) => typeof x === 'string')) return null;
    return f;
  } catch {
    return null;
  }
}

/** Constant-time string equality for state and CSRF tokens. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** Only same-console relative paths survive as a post-sign-in target (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/console';
  if (!/^\/console(\/[A-Za-z0-9\-._~/%?=&]*)?$/.test(next) || next.includes('//') || next.includes('/..')) return '/console';
  return next;
}
