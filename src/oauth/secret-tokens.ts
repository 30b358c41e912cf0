// Bearer resolution for long-lived SCIM secret tokens (src/db/secret-tokens.ts). Same contract as
// the OAuth token cache: a hit costs no database call, a positive result lives at most cacheMs
// (the bound on staleness across processes, e.g. a revoke from the CLI), and a revoke or tenant
// change in this process drops it at once. The token's last-used time is written at most once a
// minute per token, never per request: a provisioning cycle sends thousands of requests.
import type { Db } from '../db/client.ts';
import { SECRET_TOKEN_PREFIX, findTokenForAuth, touchSecretToken } from '../db/secret-tokens.ts';
import type { Changes } from '../accounts/events.ts';
import { SCIM_SCOPE } from './clients.ts';
import type { TokenResolution } from './resolver.ts';

/** Activity and hourly counters attribute a secret token's requests to this pseudo-grant. */
export const SECRET_TOKEN_GRANT_PREFIX = 'secret:';
export const SECRET_TOKEN_CLIENT_ID = 'secret-token';
const TOUCH_EVERY_MS = 60_000;
const MAX_ENTRIES = 1_000;

export function isSecretToken(token: string): boolean {
  return token.startsWith(SECRET_TOKEN_PREFIX);
}

interface Entry {
  res: Extract<TokenResolution, { ok: true }>;
  tokenId: string;
  until: number;
}

export class SecretTokenResolver {
  #db: Db;
  #cacheMs: number;
  #cache = new Map<string, Entry>();
  #touched = new Map<string, number>();
  #onRevoked = (id: string) => this.#drop((e) => e.tokenId === id);
  #onTenant = (tenantId: string) => this.#drop((e) => e.res.tenantId === tenantId);
  #onError: (err: unknown) => void;
  #changes: Changes;

  constructor(db: Db, opts: { cacheMs: number; changes: Changes; onError?: (err: unknown) => void }) {
    this.#db = db;
    this.#cacheMs = opts.cacheMs;
    this.#onError = opts.onError ?? (() => {});
    this.#changes = opts.changes;
    this.#changes.on('secretTokenRevoked', this.#onRevoked);
    this.#changes.on('tenantChanged', this.#onTenant);
  }

  async resolve(token: string): Promise<TokenResolution> {
    const now = Date.now();
    const hit = this.#cache.get(token);
    if (hit && hit.until > now) {
      this.#touch(hit.tokenId, now);
      return hit.res;
    }
    if (hit) this.#cache.delete(token);
    const row = await findTokenForAuth(this.#db, token);
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revokedAt) return { ok: false, reason: 'revoked' };
    const exp = row.expiresAt?.getTime() ?? Infinity;
    if (exp <= now) return { ok: false, reason: 'expired' };
    if (!row.tenantEnabled) return { ok: false, reason: 'tenant_disabled' };
    const res = { ok: true as const, tenantId: row.tenantId, grantId: `${SECRET_TOKEN_GRANT_PREFIX}${row.id}`, clientId: SECRET_TOKEN_CLIENT_ID, scope: SCIM_SCOPE };
    if (this.#cacheMs > 0) {
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(token, { res, tokenId: row.id, until: Math.min(now + this.#cacheMs, exp) });
    }
    this.#touch(row.id, now);
    return res;
  }

  #touch(tokenId: string, now: number): void {
    const last = this.#touched.get(tokenId) ?? 0;
    if (now - last < TOUCH_EVERY_MS) return;
    this.#touched.set(tokenId, now);
    touchSecretToken(this.#db, tokenId, new Date(now)).catch(this.#onError);
  }

  #drop(pred: (e: Entry) => boolean): void {
    for (const [k, e] of this.#cache) if (pred(e)) this.#cache.delete(k);
  }

  close(): void {
    this.#cache.clear();
    this.#touched.clear();
    this.#changes.off('secretTokenRevoked', this.#onRevoked);
    this.#changes.off('tenantChanged', this.#onTenant);
  }
}
