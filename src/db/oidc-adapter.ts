// oidc-provider's storage adapter on Prisma (issue 2 §2): every model in one OidcPayload table keyed
// by (type, id), with grantId / uid / userCode columns indexed for the provider's lookups and
// expiresAt for the sweep (oidc-provider never deletes expired rows itself; stack-notes.md).
import type { Db } from './client.ts';

type Payload = Record<string, unknown>;

export interface AdapterOptions {
  /** How long a rotated refresh token keeps working (issue 2 §4: a lost token response must not
   * break the connection). Within the grace window the consumed mark is hidden from the provider,
   * so the previous token refreshes again; afterwards the provider sees it as consumed. */
  refreshGraceSeconds: number;
}

/** ClientCredentials tokens have no grant; their client id goes into the grantId column under this
 * prefix so deleting an API client can revoke its tokens with one indexed delete. Real grant ids
 * (nanoid) never contain a colon. */
export const CLIENT_TOKEN_PREFIX = 'cc:';

export function createAdapterClass(db: Db, opts: AdapterOptions) {
  return class PrismaOidcAdapter {
    type: string;

    constructor(type: string) {
      this.type = type;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      let grantId = typeof payload.grantId === 'string' ? payload.grantId : null;
      if (this.type === 'ClientCredentials' && typeof payload.clientId === 'string') grantId = `${CLIENT_TOKEN_PREFIX}${payload.clientId}`;
      const data = {
        payload: JSON.stringify(payload),
        grantId,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expiresAt,
      };
      await db.oidcPayload.upsert({
        where: { type_id: { type: this.type, id } },
        create: { id, type: this.type, ...data },
        update: data,
      });
    }

    #toPayload(row: { payload: string; expiresAt: Date | null; consumedAt: Date | null } | null): Payload | undefined {
      if (!row) return undefined;
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
      const payload = JSON.parse(row.payload) as Payload;
      if (row.consumedAt) {
        const graceOver = row.consumedAt.getTime() + opts.refreshGraceSeconds * 1000 <= Date.now();
        if (this.type !== 'RefreshToken' || graceOver) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
      }
      return payload;
    }

    async find(id: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findUnique({ where: { type_id: { type: this.type, id } } }));
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findFirst({ where: { type: this.type, uid } }));
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.#toPayload(await db.oidcPayload.findFirst({ where: { type: this.type, userCode } }));
    }

    /** First consumption only: a re-use inside the grace window must not extend the window. */
    async consume(id: string): Promise<void> {
      await db.oidcPayload.updateMany({ where: { type: this.type, id, consumedAt: null }, data: { consumedAt: new Date() } });
    }

    async destroy(id: string): Promise<void> {
      await db.oidcPayload.deleteMany({ where: { type: this.type, id } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.oidcPayload.deleteMany({ where: { grantId, type: this.type } });
    }
  };
}

export async function sweepExpiredPayloads(db: Db, now = new Date()): Promise<number> {
  const r = await db.oidcPayload.deleteMany({ where: { expiresAt: { lt: now } } });
  return r.count;
}

/** Bearer-token lookup for the SCIM hot path: one indexed read for either token kind (opaque
 * access tokens and client-credentials tokens are stored under their own value as id). */
export async function findBearerPayload(db: Db, id: string): Promise<{ type: string; payload: Payload; expiresAt: Date | null } | null> {
  const row = await db.oidcPayload.findFirst({
    where: { id, type: { in: ['AccessToken', 'ClientCredentials'] } },
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
