// The tie of a provisioned user to the Entra object that signed in as it, with the time of the last
// single sign-on.
import type { Db } from './client.ts';

export interface UserLinkRow {
  userId: string;
  tenantId: string;
  objectId: string | null;
  lastSignInAt: Date;
}

export async function findUserLink(db: Db, tenantId: string, userId: string): Promise<UserLinkRow | null> {
  return db.ssoUserLink.findFirst({ where: { userId, tenantId } });
}

/** Records a sign-in; the object id is kept when this sign-in carries none. */
export async function upsertUserLink(db: Db, tenantId: string, userId: string, objectId: string | null, at: Date): Promise<void> {
  await db.ssoUserLink.upsert({
    where: { userId, tenantId },
    create: { userId, tenantId, objectId, lastSignInAt: at },
    update: { lastSignInAt: at, ...(objectId ? { objectId } : {}) },
  });
}

export async function lastSignIns(db: Db, tenantId: string, userIds: string[]): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.ssoUserLink.findMany({ where: { tenantId, userId: { in: userIds } }, select: { userId: true, lastSignInAt: true } });
  return new Map(rows.map((r) => [r.userId, r.lastSignInAt]));
}

/** The tenant's most recent sign-ins, newest first. */
export async function recentUserLinks(db: Db, tenantId: string, take: number): Promise<UserLinkRow[]> {
  return db.ssoUserLink.findMany({ where: { tenantId }, orderBy: { lastSignInAt: 'desc' }, take });
}
