// Bearer token → tenant, the SCIM hot path. A miss costs two indexed reads (the
// token row, then its tenant or API client); a hit costs none. Positive results are cached for at
// most config.tokens.tokenCacheMs (the bound on staleness across processes) and dropped in this
// process the moment a token, grant, API client or tenant is revoked or disabled.
import type { Db } from '../db/client.ts';
import { findBearerPayload } from '../db/oidc-adapter.ts';
import { apiClientTenant } from '../db/api-clients.ts';
import { tenantEnabled } from '../db/tenants.ts';
import { parseAccountId } from './accounts-ids.ts';
import { API_CLIENT_ID_PREFIX, SCIM_SCOPE } from './clients.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';
import { SecretTokenResolver, isSecretToken } from './secret-tokens.ts';
import type { Changes } from '../accounts/events.ts';

export type TokenResolution =
  | { ok: true; tenantId: string; grantId: string | null; clientId: string; scope: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' | 'tenant_disabled' | 'insufficient_scope' };

interface Entry {
  res: Extract<TokenResolution, { ok: true }>;
  until: number;
}

const MAX_ENTRIES = 10_000;
// Opaque token values are 43 base64url characters; anything far longer is not ours.
const MAX_TOKEN_LENGTH = 512;

export class TokenResolver {
  #db: Db;
  #entraClientId: string;
  #cacheMs: number;
  #digest: TokenDigest;
  /** Keyed by the token's digest, never the token: no raw token outlives its request in memory. */
  #cache = new Map<string, Entry>();
  #secretTokens: SecretTokenResolver;

  constructor(db: Db, opts: { entraClientId: string; cacheMs: number; digest: TokenDigest; changes: Changes }) {
    this.#db = db;
    this.#digest = opts.digest;
    this.#entraClientId = opts.entraClientId;
    this.#cacheMs = opts.cacheMs;
    this.#secretTokens = new SecretTokenResolver(db, { cacheMs: opts.cacheMs, changes: opts.changes });
  }

  async resolve(token: string): Promise<TokenResolution> {
    if (!token) return { ok: false, reason: 'missing' };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'unknown' };
    // Long-lived secret tokens (non-gallery Entra apps) carry their own prefix and cache.
    if (isSecretToken(token)) return this.#secretTokens.resolve(token);
    const now = Date.now();
    const key = this.#digest(token);
    const hit = this.#cache.get(key);
    if (hit) {
      if (hit.until > now) return hit.res;
      this.#cache.delete(key);
    }
    const row = await findBearerPayload(this.#db, key);
    if (!row) return { ok: false, reason: 'unknown' };
    const p = row.payload;
    const exp = typeof p.exp === 'number' ? p.exp * 1000 : row.expiresAt?.getTime() ?? 0;
    if (exp <= now) return { ok: false, reason: 'expired' };
    const clientId = String(p.clientId ?? '');
    const scope = typeof p.scope === 'string' ? p.scope : '';

    let tenantId: string;
    let grantId: string | null = null;
    if (row.type === 'ClientCredentials') {
      // Client-credentials tokens belong to the API client's tenant; the client can
      // only ever obtain SCIM access, whatever scope it asked for.
      if (!clientId.startsWith(API_CLIENT_ID_PREFIX)) return { ok: false, reason: 'insufficient_scope' };
      const c = await apiClientTenant(this.#db, clientId);
      if (!c) return { ok: false, reason: 'revoked' };
      if (!c.enabled) return { ok: false, reason: 'tenant_disabled' };
      tenantId = c.tenantId;
    } else {
      // Only the Entra client's tokens carry SCIM permission; console (OIDC) tokens do not.
      const account = parseAccountId(p.accountId);
      if (clientId !== this.#entraClientId || account?.kind !== 'tenant' || !scope.split(' ').includes(SCIM_SCOPE)) {
        return { ok: false, reason: 'insufficient_scope' };
      }
      const enabled = await tenantEnabled(this.#db, account.id);
      if (enabled === null) return { ok: false, reason: 'revoked' };
      if (!enabled) return { ok: false, reason: 'tenant_disabled' };
      tenantId = account.id;
      grantId = typeof p.grantId === 'string' ? p.grantId : null;
    }
    const res = { ok: true as const, tenantId, grantId, clientId, scope: scope || SCIM_SCOPE };
    if (this.#cacheMs > 0) {
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { res, until: Math.min(now + this.#cacheMs, exp) });
    }
    return res;
  }

  invalidateToken(token: string): void {
    this.#cache.delete(this.#digest(token));
  }

  #drop(pred: (r: Entry['res']) => boolean): void {
    for (const [k, e] of this.#cache) if (pred(e.res)) this.#cache.delete(k);
  }

  invalidateGrant(grantId: string): void {
    this.#drop((r) => r.grantId === grantId);
  }

  invalidateClient(clientId: string): void {
    this.#drop((r) => r.clientId === clientId);
  }

  invalidateTenant(tenantId: string): void {
    this.#drop((r) => r.tenantId === tenantId);
  }

  clear(): void {
    this.#cache.clear();
    this.#secretTokens.close();
  }
}
