// Connections: one row per Entra authorization (grant) bound to a tenant, for the console
// overview, Disconnect and `connection list`. The row is written when the admin clicks Allow, but
// it counts as a connection only once Entra has exchanged the code: a live connection is one whose
// grant still holds an unexpired, unconsumed access or refresh token. So abandoned or failed
// exchanges and revoked tokens never show as connected, and a pending row is swept after the code
// lifetime. Entra sends the same client id and redirect URI from every gallery app, so "the same
// Entra app" is the same client in the same tenant: the newest exchange replaces the others.
import type { Db } from './client.ts';

export interface Connection {
  grantId: string;
  tenantId: string;
  clientId: string;
  authorizedBy: string | null;
  authorizedAt: Date;
  lastRefreshAt: Date | null;
  lastScimAt: Date | null;
  revokedAt: Date | null;
}

export async function recordConnection(
  db: Db,
  input: { grantId: string; tenantId: string; clientId: string; authorizedBy: string },
): Promise<void> {
  await db.connection.upsert({
    where: { grantId: input.grantId },
    create: { ...input, authorizedAt: new Date() },
    update: { authorizedBy: input.authorizedBy, revokedAt: null },
  });
}

export async function markRefreshed(db: Db, grantId: string): Promise<void> {
  await db.connection.updateMany({ where: { grantId }, data: { lastRefreshAt: new Date() } });
}

export async function markRevoked(db: Db, grantId: string): Promise<void> {
  await db.connection.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function findConnection(db: Db, grantId: string): Promise<Connection | null> {
  return db.connection.findUnique({ where: { grantId } });
}

export async function listConnections(db: Db, tenantId: string): Promise<Connection[]> {
  return db.connection.findMany({ where: { tenantId }, orderBy: { authorizedAt: 'desc' } });
}

const TOKEN_TYPES = ['AccessToken', 'RefreshToken'];

/** Grants among `grantIds` that still hold a usable access or refresh token. */
async function grantsWithLiveTokens(db: Db, grantIds: string[], now: Date): Promise<Set<string>> {
  if (grantIds.length === 0) return new Set();
  const rows = await db.oidcPayload.findMany({
    where: { grantId: { in: grantIds }, type: { in: TOKEN_TYPES }, consumedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { grantId: true },
    distinct: ['grantId'],
  });
  return new Set(rows.map((r) => r.grantId!));
}

/**
 * The live authorization-code connections of a tenant, newest first, one per client: a row whose
 * code was never exchanged or whose tokens are gone is not a connection, and an older connection
 * of the same client is superseded (its tokens are revoked by replaceEarlierConnections).
 */
export async function listLiveConnections(db: Db, tenantId: string, now = new Date()): Promise<Connection[]> {
  const rows = await db.connection.findMany({ where: { tenantId, revokedAt: null }, orderBy: [{ authorizedAt: 'desc' }, { grantId: 'asc' }] });
  const live = await grantsWithLiveTokens(db, rows.map((r) => r.grantId), now);
  const seen = new Set<string>();
  const out: Connection[] = [];
  for (const r of rows) {
    if (!live.has(r.grantId) || seen.has(r.clientId)) continue;
    seen.add(r.clientId);
    out.push(r);
  }
  return out;
}

/** After `grantId`'s code was exchanged: the other unrevoked grants of the same tenant and client. */
export async function earlierConnections(db: Db, grantId: string): Promise<string[]> {
  const c = await db.connection.findUnique({ where: { grantId } });
  if (!c) return [];
  const others = await db.connection.findMany({
    where: { tenantId: c.tenantId, clientId: c.clientId, revokedAt: null, grantId: { not: grantId } },
    select: { grantId: true },
  });
  return others.map((o) => o.grantId);
}

/** Unrevoked rows older than `before` whose grant holds no usable token: never exchanged, or dead. */
export async function staleConnections(db: Db, before: Date, now = new Date()): Promise<string[]> {
  const rows = await db.connection.findMany({ where: { revokedAt: null, authorizedAt: { lt: before } }, select: { grantId: true } });
  const live = await grantsWithLiveTokens(db, rows.map((r) => r.grantId), now);
  return rows.map((r) => r.grantId).filter((g) => !live.has(g));
}
