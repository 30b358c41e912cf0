// What single sign-on reads of the users SCIM provisioned: the candidates an upstream identity may
// match, the user behind a session or an ID token, and the names of the user's groups. Read-only:
// SCIM alone writes users. `data` is the stored SCIM JSON of the user.
import type { Db } from './client.ts';

export interface SsoUserRow {
  id: string;
  active: boolean;
  data: string;
}

const SELECT = { id: true, active: true, data: true } as const;

export async function findUserById(db: Db, tenantId: string, id: string): Promise<SsoUserRow | null> {
  return db.scimUser.findFirst({ where: { id, tenantId }, select: SELECT });
}

/** `userNameKey` is the stored lookup key of userName (searchKey()). */
export async function findUserByUserNameKey(db: Db, tenantId: string, userNameKey: string): Promise<SsoUserRow | null> {
  return db.scimUser.findUnique({ where: { tenantId_userNameKey: { tenantId, userNameKey } }, select: SELECT });
}

/** At most `take` users with this externalId (externalId is not unique in SCIM). */
export async function findUsersByExternalId(db: Db, tenantId: string, externalId: string, take: number): Promise<SsoUserRow[]> {
  return db.scimUser.findMany({ where: { tenantId, externalId }, select: SELECT, take });
}

/** Ids of at most `take` distinct users with a work email whose lookup key is `emailKey`. */
export async function findUserIdsByWorkEmail(db: Db, tenantId: string, emailKey: string, take: number): Promise<string[]> {
  const rows = await db.scimUserValue.findMany({ where: { tenantId, attr: 'emails', typeKey: 'work', valueKey: emailKey }, select: { userId: true }, distinct: ['userId'], take });
  return rows.map((r) => r.userId);
}

export async function findUsersByIds(db: Db, tenantId: string, ids: string[]): Promise<SsoUserRow[]> {
  if (ids.length === 0) return [];
  return db.scimUser.findMany({ where: { tenantId, id: { in: ids } }, select: SELECT });
}

/** The user an ID token's subject names, with its tenant: the account id is what names the tenant. */
export async function findUserWithTenant(db: Db, id: string): Promise<(SsoUserRow & { tenantId: string }) | null> {
  return db.scimUser.findUnique({ where: { id }, select: { ...SELECT, tenantId: true } });
}

export async function userGroupNames(db: Db, tenantId: string, userId: string): Promise<string[]> {
  const rows = await db.scimMember.findMany({ where: { tenantId, userId }, select: { group: { select: { displayName: true } } } });
  return rows.map((r) => r.group.displayName);
}
