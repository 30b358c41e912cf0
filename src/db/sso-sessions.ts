// End-user browser sessions (separate from console sessions). The row id is the SHA-256 of the
// cookie value; a session is found by that id alone, since the cookie is what names the tenant.
// Everything after that, and every other query, names the tenant.
import type { Db } from './client.ts';

export interface EndUserSessionRow {
  id: string;
  tenantId: string;
  userId: string;
  csrfToken: string;
  protocol: string;
  amr: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  upstreamSid: string | null;
  samlNameId: string | null;
  samlSessionIndex: string | null;
}

export interface SessionSummary {
  id: string;
  protocol: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function createEndUserSession(db: Db, row: Omit<EndUserSessionRow, 'createdAt' | 'lastSeenAt'>): Promise<void> {
  await db.endUserSession.create({ data: row });
}

export async function findEndUserSession(db: Db, id: string): Promise<EndUserSessionRow | null> {
  return db.endUserSession.findUnique({ where: { id } });
}

export async function touchEndUserSession(db: Db, tenantId: string, id: string, at: Date): Promise<void> {
  await db.endUserSession.updateMany({ where: { id, tenantId }, data: { lastSeenAt: at } });
}

export async function deleteEndUserSession(db: Db, tenantId: string, id: string): Promise<void> {
  await db.endUserSession.deleteMany({ where: { id, tenantId } });
}

/** Every session of one user of the tenant; how many there were. */
export async function deleteUserSessions(db: Db, tenantId: string, userId: string): Promise<number> {
  return (await db.endUserSession.deleteMany({ where: { tenantId, userId } })).count;
}

/** The sessions an upstream session id names (OpenID Connect front-channel logout), deleted. */
export async function deleteSessionsByUpstreamSid(db: Db, tenantId: string, sid: string): Promise<Array<{ id: string; userId: string }>> {
  const rows = await db.endUserSession.findMany({ where: { tenantId, upstreamSid: sid }, select: { id: true, userId: true } });
  if (rows.length) await db.endUserSession.deleteMany({ where: { tenantId, id: { in: rows.map((r) => r.id) } } });
  return rows;
}

export async function listLiveUserSessions(db: Db, tenantId: string, userId: string, now: Date): Promise<SessionSummary[]> {
  return db.endUserSession.findMany({
    where: { tenantId, userId, expiresAt: { gt: now } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, protocol: true, createdAt: true, lastSeenAt: true, expiresAt: true },
  });
}

/** Live sessions per user, for a page of users: one query, users without any are absent. */
export async function countLiveSessions(db: Db, tenantId: string, userIds: string[], now: Date): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.endUserSession.groupBy({ by: ['userId'], where: { tenantId, userId: { in: userIds }, expiresAt: { gt: now } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.userId, r._count._all]));
}

/** Across tenants: sessions past their absolute end. */
export async function deleteExpiredEndUserSessions(db: Db, now: Date): Promise<void> {
  await db.endUserSession.deleteMany({ where: { expiresAt: { lte: now } } });
}
