// Throttling of client authentication at /oauth/token, /revoke and /introspect: per client id and
// per client IP (accounts/throttle.ts). The provider compares client secrets through
// Client#compareClientSecret (replaced in provider-overrides.ts), which knows the client but not the request;
// this middleware hands it the request's IP through an AsyncLocalStorage and, when the attempt was
// refused unchecked, turns the provider's invalid_client into 429 with Retry-After: a client that
// is only being guessed at (such as Entra) retries later instead of treating its secret as wrong.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { LoginThrottle } from '../accounts/throttle.ts';

/** Set on the raw request by mount.ts: Fastify's req.ip, which honours TRUST_PROXY only. */
export const CLIENT_IP = Symbol('securelogin.clientIp');

interface AuthAttempt {
  ip: string;
  retryAfter: number;
}

const current = new AsyncLocalStorage<AuthAttempt>();
const AUTHENTICATED_PATHS = new Set(['/token', '/revoke', '/introspect']);

export function clientAuthContext() {
  return async function clientAuthContextMiddleware(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    if (ctx.method !== 'POST' || !AUTHENTICATED_PATHS.has(ctx.path)) return next();
    const raw = ctx.req as IncomingMessage & { [CLIENT_IP]?: string };
    const attempt: AuthAttempt = { ip: raw[CLIENT_IP] ?? ctx.ip, retryAfter: 0 };
    await current.run(attempt, next);
    if (attempt.retryAfter > 0) {
      ctx.status = 429;
      ctx.set('retry-after', String(attempt.retryAfter));
      ctx.body = { error: 'invalid_client', error_description: `too many failed client authentications; retry after ${attempt.retryAfter} seconds` };
    }
  };
}

/** Wraps a secret comparison: claimed before it runs, given back when the secret was right. */
export async function throttledCompare(throttle: LoginThrottle, clientId: string, compare: () => Promise<boolean> | boolean): Promise<boolean> {
  const attempt = current.getStore();
  if (!attempt) return compare();
  const claim = await throttle.claimClientAuth(clientId, attempt.ip);
  if (!claim.ok) {
    attempt.retryAfter = claim.retryAfter;
    return false;
  }
  const ok = await compare();
  if (ok) await throttle.succeeded(claim);
  return ok;
}
