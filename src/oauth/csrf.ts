// CSRF for the interaction forms. The token is an HMAC of the interaction uid under a
// server key: only a page we rendered for this interaction carries it, and the POST handlers also
// require the interaction cookie that oidc-provider bound to the same uid (interactionDetails
// refuses otherwise), so a forged cross-site form has neither.
import crypto from 'node:crypto';

export function csrfToken(key: Buffer, uid: string): string {
  return crypto.createHmac('sha256', key).update(`interaction:${uid}`).digest('base64url');
}

export function csrfValid(key: Buffer, uid: string, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length === 0 || sent.length > 100) return false;
  const expected = Buffer.from(csrfToken(key, uid));
  const got = Buffer.from(sent);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}
