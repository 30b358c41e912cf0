// oidc-provider's storage adapter on Prisma: every model in one OidcPayload table keyed
// by (type, id), with grantId / uid / userCode columns indexed for the provider's lookups and
// expiresAt for the sweep (oidc-provider never deletes expired rows itself).
//
// Credentials (tokens, codes, browser session ids) are stored under a keyed hash of their value,
// never the value itself, and their payload loses its `jti` (the same value): a copy of the
// database or of a backup yields nothing that authenticates. The provider always asks by value, so
// the hash is computed here and the `jti` put back on the way out.
import { open, seal, subkey } from '../secrets/seal.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';
import type { Db } from './client.ts';

type Payload = Record<string, unknown>;

export interface AdapterOptions {
  /** How long a rotated refresh token keeps working (a lost token response must not
   * break the connection). Within the grace window the consumed mark is hidden from the provider,
   * and the token endpoint hands back the successor already issued (refresh-reuse.ts); afterwards
   * the provider sees it as consumed and revokes the whole grant (RFC 9700 §4.14.2). */
  refreshGraceSeconds: number;
  digest: TokenDigest;
}

/** Models whose id is a bearer credential (or a cookie value that works as one). Grants and
 * Interactions are looked up by ids that are not secrets on their own (the interaction id is in
 * the page URL and only works with its signed cookie). */
export const HASHED_TYPES: ReadonlySet<string> = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'Session',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/** ClientCredentials tokens have no grant; their client id goes into the grantId column under this
 * prefix so deleting an API client can revoke its tokens with one indexed delete. Real grant ids
 * (nanoid) never contain a colon. */
export const CLIENT_TOKEN_PREFIX = 'cc:';

/** What is written for a payload: credentials lose their own value; an interaction forgets the
 * session cookie value the provider copies into it (it only ever compares the session uid). */
function storable(type: string, payload: Payload): Payload {
  if (HASHED_TYPES.has(type)) {
    const { jti: _jti, ...rest } = payload;
    return rest;
  }
  if (type === 'Interaction' && payload.session && typeof payload.session === 'object') {
    const { cookie: _cookie, ...session } = payload.session as Payload;
    return { ...payload, session };
  }
  return payload;
}

export function createAdapterClass(db: Db, opts: AdapterOptions) {
  return class PrismaOidcAdapter {
    type: string;

    constructor(type: string) {
      this.type = type;
    }

    #rowId(id: string): string {
      return HASHED_TYPES.has(this.type) ? opts.digest(id) : id;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      let grantId = typeof payload.grantId === 'string' ? payload.grantId : null;
      if (this.type === 'ClientCredentials' && typeof payload.clientId === 'string') grantId = `${CLIENT_TOKEN_PREFIX}${payload.clientId}`;
      const data = {
        payload: JSON.stringify(storable(this.type, payload)),
        grantId,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expiresAt,
      };
      const rowId = this.#rowId(id);
      await db.oidcPayload.upsert({
        where: { type_id: { type: this.type, id: rowId } },
        create: { id: rowId, type: this.type, ...data },
        update: data,
      });
    }

    #toPayload(row: { payload: string; expiresAt: Date | null; consumedAt: Date | null } | null, jti?: string): Payload | undefined {
      if (!row) return undefined;
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
      const payload = JSON.parse(row.payload) as Payload;
      if (jti !== undefined && HASHED_TYPES.has(this.type)) payload.jti = jti;
      if (row.consumedAt) {
        const graceOver = row.consumedAt.getTime() + opts.refreshGraceSeconds * 1000 <= Date.now();
        if (this.type !== 'RefreshToken' || graceOver) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
      }
      return payload;
    }

    async find(id: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findUnique({ where: { type_id: { type: this.type, id: this.#rowId(id) } } }), id);
    }

    /** Sessions found by uid come back without their value (the provider only reads them). */
    async findByUid(uid: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findFirst({ where: { type: this.type, uid } }));
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findFirst({ where: { type: this.type, userCode } }));
    }

    /** First consumption only: a re-use inside the grace window must not extend the window. */
    async consume(id: string): Promise<void> {
      await db.oidcPayload.updateMany({ where: { type: this.type, id: this.#rowId(id), consumedAt: null }, data: { consumedAt: new Date() } });
    }

    async destroy(id: string): Promise<void> {
      await db.oidcPayload.deleteMany({ where: { type: this.type, id: this.#rowId(id) } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.oidcPayload.deleteMany({ where: { grantId, type: this.type } });
    }
  };
}

/** Upgrade from a version that stored credentials under their own value: such rows still carry
 * their `jti` in the payload (this adapter strips it), so they are re-keyed under their digest once,
 * at start, and the connections they belong to keep working. Returns how many were re-keyed. */
export async function hashLegacyCredentialRows(db: Db, digest: TokenDigest): Promise<number> {
  const rows = await db.oidcPayload.findMany({
    where: { type: { in: [...HASHED_TYPES] }, payload: { contains: '"jti":' } },
    select: { type: true, id: true, payload: true },
  });
  let n = 0;
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as Payload;
    if (payload.jti !== row.id) continue;
    const r = await db.oidcPayload.updateMany({
      where: { type: row.type, id: row.id },
      data: { id: digest(row.id), payload: JSON.stringify(storable(row.type, payload)) },
    });
    n += r.count;
  }
  return n;
}

export async function sweepExpiredPayloads(db: Db, now = new Date()): Promise<number> {
  const r = await db.oidcPayload.deleteMany({ where: { expiresAt: { lt: now } } });
  return r.count;
}

/** Bearer-token lookup for the SCIM hot path: one indexed read for either token kind, by the
 * token's digest (the row id). */
export async function findBearerPayload(db: Db, digest: string): Promise<{ type: string; payload: Payload; expiresAt: Date | null } | null> {
  const row = await db.oidcPayload.findFirst({
    where: { id: digest, type: { in: ['AccessToken', 'ClientCredentials'] } },
    select: { type: true, payload: true, expiresAt: true },
  });
  return row ? { type: row.type, payload: JSON.parse(row.payload) as Payload, expiresAt: row.expiresAt } : null;
}

export async function revokeClientTokens(db: Db, clientId: string): Promise<void> {
  await db.oidcPayload.deleteMany({ where: { grantId: `${CLIENT_TOKEN_PREFIX}${clientId}` } });
}

/** Disconnect: the grant and every token issued under it, in one statement. */
export async function revokeGrantRows(db: Db, grantId: string): Promise<void> {
  await db.oidcPayload.deleteMany({ where: { OR: [{ grantId }, { type: 'Grant', id: grantId }] } });
}

/** The grants of a tenant: its Entra connections (account "tenant:<id>") and its managers' console
 * sign-ins. The account id sits in the JSON payload, written by JSON.stringify without spaces. */
export async function tenantGrantIds(db: Db, tenantId: string, tenantAccountId: string): Promise<string[]> {
  const managers = await db.manager.findMany({ where: { tenantId }, select: { id: true } });
  const accounts = [tenantAccountId, ...managers.map((m) => m.id)];
  const rows = await db.oidcPayload.findMany({
    where: { type: 'Grant', OR: accounts.map((a) => ({ payload: { contains: `"accountId":${JSON.stringify(a)}` } })) },
    select: { id: true, payload: true },
  });
  return rows.filter((r) => accounts.includes(String((JSON.parse(r.payload) as Payload).accountId))).map((r) => r.id);
}

/** Statements deleting those grants, every token under them, and the tenant's API clients'
 * client-credentials tokens: for the caller's transaction. */
export function revokeTenantTokenStatements(db: Db, grantIds: string[], apiClientIds: string[]) {
  return [
    db.oidcPayload.deleteMany({ where: { OR: [{ grantId: { in: grantIds } }, { type: 'Grant', id: { in: grantIds } }] } }),
    db.oidcPayload.deleteMany({ where: { grantId: { in: apiClientIds.map((c) => `${CLIENT_TOKEN_PREFIX}${c}`) } } }),
  ];
}

// ---- refresh-token rotation: the successor of a rotated refresh token ----------------------------

/** The successor is sealed under a key derived from the rotated token's own value, which is never
 * stored: only a client presenting that token again can open it. */
function successorKey(rotatedValue: string): Buffer {
  return subkey(Buffer.from(rotatedValue, 'utf8'), 'securelogin refresh successor v1');
}

/** Records `successor` for the rotated token unless one is recorded already; returns the successor
 * that stands (this one, or the one an earlier or concurrent request recorded), or null when the
 * rotated token's row is gone (grant revoked meanwhile). */
export async function claimRefreshSuccessor(db: Db, digest: TokenDigest, rotatedValue: string, successor: string): Promise<string | null> {
  const id = digest(rotatedValue);
  const aad = `refresh-successor:${id}`;
  const r = await db.oidcPayload.updateMany({
    where: { type: 'RefreshToken', id, successor: null },
    data: { successor: seal(successorKey(rotatedValue), successor, aad) },
  });
  if (r.count === 1) return successor;
  const row = await db.oidcPayload.findUnique({ where: { type_id: { type: 'RefreshToken', id } }, select: { successor: true } });
  if (!row?.successor) return null;
  return open(successorKey(rotatedValue), row.successor, aad);
}

export async function destroyRefreshToken(db: Db, digest: TokenDigest, value: string): Promise<void> {
  await db.oidcPayload.deleteMany({ where: { type: 'RefreshToken', id: digest(value) } });
}
