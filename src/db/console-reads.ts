// Read-only queries behind the console pages (overview, users, groups, activity). Every function
// takes the tenant id first and puts it in every WHERE: an id from another tenant reads as "not
// found" (tenant isolation). Paging, counting and search all run in the database.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';
import { searchKey } from '../scim/resources/search-key.ts';
import { keyContainsSql, textContainsSql } from './like.ts';
import { inIdOrder } from './paging.ts';
import { rawCount } from './raw-values.ts';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

function paging(page: number, pageSize: number) {
  const p = Number.isInteger(page) && page > 0 ? page : 1;
  return { p, skip: (p - 1) * pageSize, take: pageSize };
}

function pageOf<T>(items: T[], total: number, page: number, pageSize: number): Page<T> {
  return { items, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

function parseData(data: string): Record<string, unknown> {
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- overview

export interface ConnectionView {
  grantId: string;
  clientId: string;
  authorizedBy: string | null;
  authorizedAt: Date;
  lastRefreshAt: Date | null;
  lastScimAt: Date | null;
  requests24h: number;
  failures24h: number;
}

export async function listActiveConnections(db: Db, tenantId: string, since: Date): Promise<ConnectionView[]> {
  const [conns, counts] = await db.$transaction([
    db.connection.findMany({ where: { tenantId, revokedAt: null }, orderBy: { authorizedAt: 'desc' } }),
    db.activityHourly.groupBy({
      by: ['grantId'],
      where: { tenantId, hour: { gte: since } },
      _sum: { requests: true, failures: true },
      orderBy: { grantId: 'asc' },
    }),
  ]);
  const byGrant = new Map(counts.map((c) => [c.grantId, c._sum]));
  return conns.map((c) => {
    const s = byGrant.get(c.grantId);
    return {
      grantId: c.grantId,
      clientId: c.clientId,
      authorizedBy: c.authorizedBy,
      authorizedAt: c.authorizedAt,
      lastRefreshAt: c.lastRefreshAt,
      lastScimAt: c.lastScimAt,
      requests24h: s?.requests ?? 0,
      failures24h: s?.failures ?? 0,
    };
  });
}

export interface ApiClientUsage {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: string | null;
  requests24h: number;
  failures24h: number;
  lastHour: Date | null; // start of the latest hour with a SCIM request (within retention)
}

/**
 * Client-credentials clients have no grant and no Connection row; their requests are counted
 * under `client:<id>` in ActivityHourly (src/activity/recorder.ts).
 */
export async function listApiClientUsage(db: Db, tenantId: string, since: Date): Promise<ApiClientUsage[]> {
  const clients = await db.apiClient.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true, createdAt: true, createdBy: true } });
  if (clients.length === 0) return [];
  const keys = clients.map((c) => `client:${c.id}`);
  const [recent, last] = await db.$transaction([
    db.activityHourly.groupBy({
      by: ['grantId'],
      where: { tenantId, grantId: { in: keys }, hour: { gte: since } },
      _sum: { requests: true, failures: true },
      orderBy: { grantId: 'asc' },
    }),
    db.activityHourly.groupBy({ by: ['grantId'], where: { tenantId, grantId: { in: keys } }, _max: { hour: true }, orderBy: { grantId: 'asc' } }),
  ]);
  const r = new Map(recent.map((x) => [x.grantId, x._sum]));
  const l = new Map(last.map((x) => [x.grantId, x._max?.hour ?? null]));
  return clients.map((c) => ({
    ...c,
    requests24h: r.get(`client:${c.id}`)?.requests ?? 0,
    failures24h: r.get(`client:${c.id}`)?.failures ?? 0,
    lastHour: l.get(`client:${c.id}`) ?? null,
  }));
}

export async function findActiveConnection(db: Db, tenantId: string, grantId: string) {
  return db.connection.findFirst({ where: { tenantId, grantId, revokedAt: null } });
}

/** Request counters of a tenant, summed over all connections, per hour since `since`. */
export async function hourlyTotals(db: Db, tenantId: string, since: Date): Promise<{ hour: Date; requests: number; failures: number; writes: number }[]> {
  const rows = await db.activityHourly.groupBy({
    by: ['hour'],
    where: { tenantId, hour: { gte: since } },
    _sum: { requests: true, failures: true, writes: true },
    orderBy: { hour: 'asc' },
  });
  return rows.map((r) => ({ hour: r.hour, requests: r._sum.requests ?? 0, failures: r._sum.failures ?? 0, writes: r._sum.writes ?? 0 }));
}

/** Usernames of this tenant's managers by id (Connection.authorizedBy holds a manager id). */
export async function managerNames(db: Db, tenantId: string): Promise<Map<string, string>> {
  const rows = await db.manager.findMany({ where: { tenantId }, select: { id: true, username: true } });
  return new Map(rows.map((r) => [r.id, r.username]));
}

export async function apiClientNames(db: Db, tenantId: string): Promise<Map<string, string>> {
  const rows = await db.apiClient.findMany({ where: { tenantId }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function tenantCounts(db: Db, tenantId: string): Promise<{ users: number; activeUsers: number; groups: number }> {
  const [users, activeUsers, groups] = await db.$transaction([
    db.scimUser.count({ where: { tenantId } }),
    db.scimUser.count({ where: { tenantId, active: true } }),
    db.scimGroup.count({ where: { tenantId } }),
  ]);
  return { users, activeUsers, groups };
}

// ---------------------------------------------------------------- users

export interface UserListItem {
  id: string;
  userName: string;
  displayName: string | null;
  email: string | null;
  active: boolean;
  updatedAt: Date;
}

export async function listUsers(
  db: Db,
  tenantId: string,
  q: { search?: string; active?: boolean; page: number; pageSize: number },
): Promise<Page<UserListItem>> {
  const where: Prisma.ScimUserWhereInput = { tenantId };
  if (q.active !== undefined) where.active = q.active;
  const { p, skip, take } = paging(q.page, q.pageSize);
  const search = q.search?.trim() ?? '';
  const [rows, total] = search
    ? await searchedUsers(db, tenantId, search, q.active, skip, take)
    : await db.$transaction([
        db.scimUser.findMany({ where, orderBy: [{ userNameKey: 'asc' }, { id: 'asc' }], skip, take, select: USER_ROW }),
        db.scimUser.count({ where }),
      ]);
  return pageOf(
    rows.map((r) => {
      const d = parseData(r.data);
      return {
        id: r.id,
        userName: String(d.userName ?? ''),
        displayName: r.displayName ?? (typeof d.displayName === 'string' ? d.displayName : null),
        email: primaryEmail(d),
        active: r.active,
        updatedAt: r.updatedAt,
      };
    }),
    total,
    p,
    q.pageSize,
  );
}

/** The ids of one page and the total of a search over `from` (`<table> <alias> WHERE … ORDER BY …`),
 * in one snapshot. Plain SQL because a search needs LIKE with an ESCAPE clause (like.ts), which
 * Prisma's model API cannot write; the page's rows are then read through the model API. */
async function searchPage(db: Db, from: Prisma.Sql, skip: number, take: number): Promise<{ ids: string[]; total: number }> {
  const [ids, counted] = await db.$transaction([
    db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT "id" FROM ${from} LIMIT ${take} OFFSET ${skip}`),
    db.$queryRaw<{ n: unknown }[]>(Prisma.sql`SELECT COUNT(*) AS "n" FROM (SELECT "id" FROM ${from}) matched`),
  ]);
  return { ids: ids.map((r) => r.id), total: rawCount(counted[0]?.n) };
}

const USER_ROW = { id: true, data: true, displayName: true, active: true, updatedAt: true } as const;

/** Users matching a console search: userName, display name, name parts and email addresses through
 * their stored keys (case-insensitive in every script), externalId literally with ASCII letters in
 * any case (like.ts); ids of the page and the total in SQL, then the page's rows. */
async function searchedUsers(db: Db, tenantId: string, search: string, active: boolean | undefined, skip: number, take: number) {
  const key = searchKey(search);
  const col = (name: string) => Prisma.raw(`u."${name}"`);
  const matches = Prisma.join(
    [
      ...['userNameKey', 'displayNameKey', 'givenNameKey', 'familyNameKey', 'formattedNameKey'].map((c) => keyContainsSql(col(c), key)),
      textContainsSql(db, col('externalId'), search),
      Prisma.sql`EXISTS (SELECT 1 FROM "ScimUserValue" v WHERE v."userId" = u."id" AND v."tenantId" = ${tenantId} AND v."attr" = 'emails' AND ${keyContainsSql(Prisma.raw('v."valueKey"'), key)})`,
    ],
    ' OR ',
  );
  const where = Prisma.sql`u."tenantId" = ${tenantId}${active === undefined ? Prisma.empty : Prisma.sql` AND u."active" = ${active}`} AND (${matches})`;
  const { ids, total } = await searchPage(db, Prisma.sql`"ScimUser" u WHERE ${where} ORDER BY u."userNameKey" ASC, u."id" ASC`, skip, take);
  const rows = ids.length ? await db.scimUser.findMany({ where: { tenantId, id: { in: ids } }, select: USER_ROW }) : [];
  return [inIdOrder(ids, rows), total] as const;
}

function primaryEmail(d: Record<string, unknown>): string | null {
  const emails = Array.isArray(d.emails) ? (d.emails as Record<string, unknown>[]) : [];
  const e = emails.find((x) => x && x.primary === true) ?? emails[0];
  return e && typeof e.value === 'string' ? e.value : null;
}

export interface UserDetail {
  id: string;
  data: Record<string, unknown>;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  groups: { id: string; displayName: string }[];
}

export async function getUser(db: Db, tenantId: string, id: string): Promise<UserDetail | null> {
  const u = await db.scimUser.findFirst({
    where: { tenantId, id },
    include: { memberships: { where: { tenantId }, select: { group: { select: { id: true, displayName: true } } }, orderBy: { id: 'asc' } } },
  });
  if (!u) return null;
  return {
    id: u.id,
    data: parseData(u.data),
    active: u.active,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    version: u.version,
    groups: u.memberships.map((m) => m.group),
  };
}

// ---------------------------------------------------------------- groups

export interface GroupListItem {
  id: string;
  displayName: string;
  externalId: string | null;
  members: number;
  updatedAt: Date;
}

const GROUP_ROW = { id: true, displayName: true, externalId: true, updatedAt: true, _count: { select: { members: true } } } as const;

/** Groups matching a console search: displayName through its key, externalId literally with ASCII
 * letters in any case (like.ts). */
async function searchedGroups(db: Db, tenantId: string, search: string, skip: number, take: number) {
  const matches = Prisma.sql`(${keyContainsSql(Prisma.raw('g."displayNameKey"'), searchKey(search))} OR ${textContainsSql(db, Prisma.raw('g."externalId"'), search)})`;
  const where = Prisma.sql`g."tenantId" = ${tenantId} AND ${matches}`;
  const { ids, total } = await searchPage(db, Prisma.sql`"ScimGroup" g WHERE ${where} ORDER BY g."displayNameKey" ASC, g."id" ASC`, skip, take);
  const rows = ids.length ? await db.scimGroup.findMany({ where: { tenantId, id: { in: ids } }, select: GROUP_ROW }) : [];
  return [inIdOrder(ids, rows), total] as const;
}

export async function listGroups(db: Db, tenantId: string, q: { search?: string; page: number; pageSize: number }): Promise<Page<GroupListItem>> {
  const { p, skip, take } = paging(q.page, q.pageSize);
  const search = q.search?.trim() ?? '';
  const [rows, total] = search
    ? await searchedGroups(db, tenantId, search, skip, take)
    : await db.$transaction([
        db.scimGroup.findMany({ where: { tenantId }, orderBy: [{ displayNameKey: 'asc' }, { id: 'asc' }], skip, take, select: GROUP_ROW }),
        db.scimGroup.count({ where: { tenantId } }),
      ]);
  return pageOf(
    rows.map((r) => ({ id: r.id, displayName: r.displayName, externalId: r.externalId, members: r._count.members, updatedAt: r.updatedAt })),
    total,
    p,
    q.pageSize,
  );
}

export interface GroupDetail {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  data: Record<string, unknown>;
}

export interface MemberItem {
  kind: 'User' | 'Group';
  id: string;
  display: string;
  active: boolean | null;
}

export async function getGroup(db: Db, tenantId: string, id: string): Promise<GroupDetail | null> {
  const g = await db.scimGroup.findFirst({ where: { tenantId, id } });
  if (!g) return null;
  return { id: g.id, displayName: g.displayName, externalId: g.externalId, createdAt: g.createdAt, updatedAt: g.updatedAt, data: parseData(g.data) };
}

export async function listGroupMembers(db: Db, tenantId: string, groupId: string, q: { page: number; pageSize: number }): Promise<Page<MemberItem>> {
  const where = { tenantId, groupId };
  const { p, skip, take } = paging(q.page, q.pageSize);
  const [rows, total] = await db.$transaction([
    db.scimMember.findMany({
      where,
      orderBy: { id: 'asc' },
      skip,
      take,
      select: {
        user: { select: { id: true, displayName: true, userNameKey: true, active: true } },
        memberGroup: { select: { id: true, displayName: true } },
      },
    }),
    db.scimMember.count({ where }),
  ]);
  const items: MemberItem[] = [];
  for (const r of rows) {
    if (r.user) items.push({ kind: 'User', id: r.user.id, display: r.user.displayName || r.user.userNameKey, active: r.user.active });
    else if (r.memberGroup) items.push({ kind: 'Group', id: r.memberGroup.id, display: r.memberGroup.displayName, active: null });
  }
  return pageOf(items, total, p, q.pageSize);
}

// ---------------------------------------------------------------- activity

export interface ActivityFilter {
  outcome?: 'success' | 'failure';
  resourceType?: string;
  resourceId?: string;
  /** Rows about any of these resources (a user search resolved to ids). */
  resourceIds?: string[];
  from?: Date;
  to?: Date;
}

function activityWhere(tenantId: string, f: ActivityFilter): Prisma.ActivityWhereInput {
  const where: Prisma.ActivityWhereInput = { tenantId };
  if (f.outcome) where.outcome = f.outcome;
  if (f.resourceType) where.resourceType = f.resourceType;
  if (f.resourceId) where.resourceId = f.resourceId;
  else if (f.resourceIds) where.resourceId = { in: f.resourceIds };
  if (f.from || f.to) where.at = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) };
  return where;
}

export type ActivityItem = {
  id: number;
  at: Date;
  method: string;
  operation: string;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  outcome: string;
  scimType: string | null;
  detail: string | null;
  durationMs: number;
  clientId: string | null;
  grantId: string | null;
  changes: string | null;
};

const ACTIVITY_SELECT = {
  id: true,
  at: true,
  method: true,
  operation: true,
  resourceType: true,
  resourceId: true,
  status: true,
  outcome: true,
  scimType: true,
  detail: true,
  durationMs: true,
  clientId: true,
  grantId: true,
  changes: true,
} as const;

export async function listActivity(db: Db, tenantId: string, f: ActivityFilter & { page: number; pageSize: number }): Promise<Page<ActivityItem>> {
  const where = activityWhere(tenantId, f);
  const { p, skip, take } = paging(f.page, f.pageSize);
  const [items, total] = await db.$transaction([
    db.activity.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip, take, select: ACTIVITY_SELECT }),
    db.activity.count({ where }),
  ]);
  return pageOf(items, total, p, f.pageSize);
}

/** Newest first, in keyset-paged chunks, so an export of the whole retention window stays small in memory. */
export async function* iterateActivity(db: Db, tenantId: string, f: ActivityFilter, chunk = 1000): AsyncGenerator<ActivityItem[]> {
  let cursor: number | null = null;
  for (;;) {
    const where = activityWhere(tenantId, f);
    if (cursor !== null) where.id = { lt: cursor };
    // id is monotonic with insertion and rows are inserted in `at` order per batch; ordering by
    // id keeps the keyset exact.
    const rows: ActivityItem[] = await db.activity.findMany({ where, orderBy: { id: 'desc' }, take: chunk, select: ACTIVITY_SELECT });
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < chunk) return;
    cursor = rows[rows.length - 1].id;
  }
}

export async function activityResourceTypes(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db.activity.groupBy({ by: ['resourceType'], where: { tenantId }, orderBy: { resourceType: 'asc' } });
  return rows.map((r) => r.resourceType).filter((x): x is string => !!x);
}

/** Request counters per connection key (grant, `secret:<id>`, `client:<id>`) and hour since `since`. */
export async function hourlyByConnection(db: Db, tenantId: string, since: Date): Promise<{ key: string; hour: Date; requests: number; failures: number }[]> {
  const rows = await db.activityHourly.findMany({
    where: { tenantId, hour: { gte: since } },
    select: { grantId: true, hour: true, requests: true, failures: true },
    orderBy: { hour: 'asc' },
  });
  return rows.map((r) => ({ key: r.grantId, hour: r.hour, requests: r.requests, failures: r.failures }));
}

/** userName / displayName of the users and groups an activity page mentions (one query each). */
export async function resourceNames(db: Db, tenantId: string, userIds: string[], groupIds: string[]): Promise<Map<string, string>> {
  const [users, groups] = await Promise.all([
    userIds.length ? db.scimUser.findMany({ where: { tenantId, id: { in: userIds } }, select: { id: true, data: true, displayName: true } }) : [],
    groupIds.length ? db.scimGroup.findMany({ where: { tenantId, id: { in: groupIds } }, select: { id: true, displayName: true } }) : [],
  ]);
  const out = new Map<string, string>();
  for (const u of users) {
    const userName = parseData(u.data).userName;
    out.set(u.id, typeof userName === 'string' && userName ? userName : (u.displayName ?? u.id));
  }
  for (const g of groups) out.set(g.id, g.displayName || g.id);
  return out;
}

/** Ids of the tenant's users whose userName, name or email matches `term` (at most `limit`). */
export async function matchingUserIds(db: Db, tenantId: string, term: string, limit = 500): Promise<string[]> {
  const page = await listUsers(db, tenantId, { search: term, page: 1, pageSize: limit });
  return page.items.map((u) => u.id);
}
