// Repository for SCIM Groups and their member rows: the only Prisma access for ScimGroup /
// ScimMember. Every query carries tenantId. Membership changes are applied as a delta of rows, so
// adding one member to a 10,000-member group is one small insert, never a rewrite of the group.
// Throws only the neutral errors of errors.ts; the groups service words them for SCIM.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';
import { NotFound, ReferenceNotFound, SelfReference, throwNeutral } from './errors.ts';
import { withRetry } from './retry.ts';
import { removeResource } from './versioned-delete.ts';
import { DEFERRED_JOIN_MIN_SKIP, TenantCountCache, inIdOrder, isUnfiltered, ofTenant, pageTotal } from './paging.ts';
import { isListOrder, pageIdsSql } from './deep-page.ts';
import { rawCount, rawDate } from './raw-values.ts';
import type { MemberChange, MemberOut, MemberPredicate, MemberRef } from '../scim/membership.ts';

export type GroupWhere = Prisma.ScimGroupWhereInput;
export type GroupOrderBy = Prisma.ScimGroupOrderByWithRelationInput;
type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface GroupWrite {
  doc: Record<string, unknown>;
  displayNameKey: string;
  displayName: string;
  externalId: string | null;
}

/** A membership change as the repository applies it: a value filter arrives as a predicate. */
export type MemberDelta = MemberChange<MemberPredicate>;

export interface GroupRecord {
  id: string;
  data: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  members?: MemberOut[];
}

const BASE_SELECT = { id: true, data: true, version: true, createdAt: true, updatedAt: true } as const;
const MEMBER_SELECT = {
  userId: true,
  memberGroupId: true,
  user: { select: { displayName: true } },
  memberGroup: { select: { displayName: true } },
} as const;
const MEMBERS_SELECT = { members: { select: MEMBER_SELECT, orderBy: { id: 'asc' as const } } } as const;

type MemberRow = {
  userId: string | null;
  memberGroupId: string | null;
  user: { displayName: string | null } | null;
  memberGroup: { displayName: string } | null;
};
type Row = { id: string; data: string; version: number; createdAt: Date; updatedAt: Date; members?: MemberRow[] };

function memberOut(m: MemberRow): MemberOut {
  if (m.userId) {
    const out: MemberOut = { value: m.userId, type: 'User' };
    if (m.user?.displayName) out.display = m.user.displayName;
    return out;
  }
  const out: MemberOut = { value: m.memberGroupId as string, type: 'Group' };
  if (m.memberGroup?.displayName) out.display = m.memberGroup.displayName;
  return out;
}

function toRecord(row: Row): GroupRecord {
  const rec: GroupRecord = {
    id: row.id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.members) rec.members = row.members.map(memberOut);
  return rec;
}

/** Ids bound per statement. SQLite binds at most 32,766 parameters per statement and Prisma's
 * compiled queries fewer (a 500-member removal through deleteMany failed with P2029), so every
 * statement over a member list runs over slices of this size. */
const IDS_PER_STATEMENT = 400;

function slices<T>(xs: T[], n = IDS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Rows of `table` among `ids`, checked against the tenant on each row (see ofTenant). */
async function existingIds(tx: Tx, table: 'ScimUser' | 'ScimGroup', tenantId: string, ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const part of slices(ids)) {
    const rows = await tx.$queryRaw<{ id: string; tenantId: string }[]>(
      Prisma.sql`SELECT "id", "tenantId" FROM ${Prisma.raw(`"${table}"`)} WHERE "id" IN (${Prisma.join(part)})`,
    );
    for (const r of ofTenant(tenantId, rows)) out.push(r.id);
  }
  return out;
}

/** Splits member references into user ids and group ids that exist IN THIS TENANT; an unknown id
 * is refused (ReferenceNotFound), never stored as a dangling row or another tenant's object. */
async function resolveMembers(tx: Tx, tenantId: string, groupId: string, refs: MemberRef[]) {
  const values = [...new Set(refs.map((r) => r.value))];
  const wantGroup = new Set(refs.filter((r) => r.type === 'Group').map((r) => r.value));
  const userCandidates = values.filter((v) => !wantGroup.has(v));
  const userIds = new Set(await existingIds(tx, 'ScimUser', tenantId, userCandidates));
  const groupCandidates = values.filter((v) => !userIds.has(v));
  const groupIds = new Set(await existingIds(tx, 'ScimGroup', tenantId, groupCandidates));
  const missing = values.filter((v) => !userIds.has(v) && !groupIds.has(v));
  if (missing.length) throw new ReferenceNotFound('members', missing[0]);
  if (groupIds.has(groupId)) throw new SelfReference('members');
  return { userIds: [...userIds], groupIds: [...groupIds] };
}

/** Inserts a member row for each of `ids` that is a `table` row of this tenant and not yet a
 * member, in one statement; returns the ids it inserted. ON CONFLICT DO NOTHING keeps add
 * idempotent (an existing member, or one a concurrent transaction inserted first, is skipped)
 * without the read of existing rows each add used to pay for. */
async function insertMembers(tx: Tx, table: 'ScimUser' | 'ScimGroup', tenantId: string, groupId: string, ids: string[]): Promise<string[]> {
  const column = table === 'ScimUser' ? 'userId' : 'memberGroupId';
  const [user, group] = table === 'ScimUser' ? [Prisma.sql`r."id"`, Prisma.sql`${null}`] : [Prisma.sql`${null}`, Prisma.sql`r."id"`];
  const now = new Date();
  const out: string[] = [];
  for (const part of slices(ids)) {
    // Sorted: members are listed in insertion order, and an add has always inserted in id order
    // (the order `id IN (...)` read them back). CROSS JOIN from the id list: with `id IN (...) AND
    // tenantId = ?` SQLite's planner (no statistics) walks the tenant's index, not the primary key.
    const list = Prisma.join(part.sort().map((v) => Prisma.sql`(${v})`));
    const rows = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO "ScimMember" ("tenantId", "groupId", "userId", "memberGroupId", "createdAt")
      SELECT ${tenantId}, ${groupId}, ${user}, ${group}, ${now} FROM (VALUES ${list}) v CROSS JOIN ${Prisma.raw(`"${table}"`)} r
      WHERE r."id" = v."column1" AND r."tenantId" = ${tenantId}
      ON CONFLICT DO NOTHING
      RETURNING ${Prisma.raw(`"${column}"`)} AS "id"`);
    for (const r of rows) out.push(r.id);
  }
  return out;
}

/** Adds members: the users first, straight into one INSERT … SELECT that resolves and inserts
 * them (an Entra add of 50 users is this one statement, where resolving, reading the existing rows
 * and inserting were three Prisma calls, each costlier than its statement). Whatever it did not
 * insert (existing members, groups, unknown ids) is then resolved as before, so an unknown id is
 * still refused (ReferenceNotFound, the transaction rolls back) and a group may not contain itself. */
async function addMembers(tx: Tx, tenantId: string, groupId: string, refs: MemberRef[]): Promise<void> {
  if (refs.length === 0) return;
  const wantGroup = new Set(refs.filter((r) => r.type === 'Group').map((r) => r.value));
  const values = [...new Set(refs.map((r) => r.value))];
  const added = new Set(await insertMembers(tx, 'ScimUser', tenantId, groupId, values.filter((v) => !wantGroup.has(v))));
  const rest = refs.filter((r) => !added.has(r.value));
  if (rest.length === 0) return;
  const { groupIds } = await resolveMembers(tx, tenantId, groupId, rest);
  await insertMembers(tx, 'ScimGroup', tenantId, groupId, groupIds);
}

async function removeValues(tx: Tx, groupId: string, values: string[]): Promise<void> {
  for (const part of slices([...new Set(values)])) {
    const ids = Prisma.join(part);
    await tx.$executeRaw`DELETE FROM "ScimMember" WHERE "groupId" = ${groupId} AND ("userId" IN (${ids}) OR "memberGroupId" IN (${ids}))`;
  }
}

/** A plain DELETE: the compiled deleteMany cost more than the statement (PUT, remove all). */
function removeAll(tx: Tx, groupId: string) {
  return tx.$executeRaw`DELETE FROM "ScimMember" WHERE "groupId" = ${groupId}`;
}

/** The group's members with their display names, in the order they were added. */
async function memberRows(q: Pick<Tx, '$queryRaw'>, groupId: string): Promise<MemberOut[]> {
  const rows = await q.$queryRaw<MemberJoin[]>(Prisma.sql`
    SELECT m."userId", m."memberGroupId", u."displayName" AS "userDisplay", mg."displayName" AS "groupDisplay"
    FROM "ScimMember" m
    LEFT JOIN "ScimUser" u ON u."id" = m."userId"
    LEFT JOIN "ScimGroup" mg ON mg."id" = m."memberGroupId"
    WHERE m."groupId" = ${groupId}
    ORDER BY m."id" ASC`);
  return rows.map(joinedMember);
}

async function applyDelta(tx: Tx, tenantId: string, groupId: string, d: MemberDelta): Promise<void> {
  switch (d.op) {
    case 'add':
      return addMembers(tx, tenantId, groupId, d.members);
    case 'remove':
      return removeValues(tx, groupId, d.values);
    case 'removeAll':
      await removeAll(tx, groupId);
      return;
    case 'replace':
      await removeAll(tx, groupId);
      return addMembers(tx, tenantId, groupId, d.members);
    case 'removeWhere': {
      // A removal by a value filter other than value eq (members[type eq "Group"]): evaluated on the rows.
      const hit = (await memberRows(tx, groupId)).filter(d.filter).map((m) => m.value);
      return removeValues(tx, groupId, hit);
    }
  }
}

type MemberJoin = { userId: string | null; memberGroupId: string | null; userDisplay: string | null; groupDisplay: string | null };
type MemberJoinRow = RawRow & MemberJoin;

function joinedMember(r: MemberJoin): MemberOut {
  return memberOut({ userId: r.userId, memberGroupId: r.memberGroupId, user: { displayName: r.userDisplay }, memberGroup: r.groupDisplay === null ? null : { displayName: r.groupDisplay } });
}

async function getGroup(db: Db, tenantId: string, id: string, opts: { members: boolean }): Promise<GroupRecord | null> {
  try {
    const [rec] = await rawPage(db, tenantId, { column: 'id', value: id }, { skip: 0, take: 1, members: opts.members });
    return rec ?? null;
  } catch (err) {
    throwNeutral(err);
  }
}

export interface GroupListQuery {
  where: GroupWhere;
  orderBy: GroupOrderBy[];
  skip: number;
  take: number;
  members: boolean;
  /** false: the caller needs no total, so no COUNT is run for it. */
  total?: false;
}

function memberSelect(members: boolean) {
  return members ? { ...BASE_SELECT, ...MEMBERS_SELECT } : BASE_SELECT;
}

/** One page of rows for a filter or order rawPage does not take; past DEFERRED_JOIN_MIN_SKIP the
 * page's ids first, then only their rows (paging.ts says why). */
async function pageRows(db: Db, tenantId: string, where: GroupWhere, q: GroupListQuery): Promise<Row[]> {
  const page = { where, orderBy: q.orderBy, skip: q.skip, take: q.take };
  const select = memberSelect(q.members);
  if (q.skip < DEFERRED_JOIN_MIN_SKIP) return db.scimGroup.findMany({ ...page, select });
  const ids = (await db.scimGroup.findMany({ ...page, select: { id: true } })).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.scimGroup.findMany({ where: { id: { in: ids } }, select: { ...select, tenantId: true } });
  return inIdOrder(ids, ofTenant(tenantId, rows));
}

/** A filter that is equality on one indexed column (displayName, Entra's matching attribute for
 * groups, or id), as to-where.ts writes it; null for none. */
type GroupKey = { column: 'displayNameKey' | 'id'; value: string };

function groupKey(where: GroupWhere): GroupKey | null {
  const entries = Object.entries(where);
  if (entries.length !== 1) return null;
  const [column, cond] = entries[0] as [string, unknown];
  if (column !== 'displayNameKey' && column !== 'id') return null;
  const keys = cond !== null && typeof cond === 'object' ? Object.keys(cond) : [];
  const value = (cond as { equals?: unknown } | null)?.equals;
  return keys.length === 1 && typeof value === 'string' ? { column, value } : null;
}

/** The tenant's groups matching `key`, or all of them, as FROM/WHERE over alias g. */
function keyedGroups(tenantId: string, key: GroupKey | null): Prisma.Sql {
  const tenant = Prisma.sql`g."tenantId" = ${tenantId}`;
  return key ? Prisma.sql`${tenant} AND g.${Prisma.raw(`"${key.column}"`)} = ${key.value}` : tenant;
}

type RawRow = { id: string; data: string; version: number; createdAt: unknown; updatedAt: unknown };

/** A page in list order as ONE $queryRaw, with the members and their display names joined when
 * asked (one row per member): the whole collection (its ids from deep-page.ts, position
 * checkpoints past the first thousand), the lookup Entra makes before every group it provisions
 * (displayName eq, excludedAttributes=members), and GET /Groups/{id}. The compiled findMany
 * cost about twice the raw statement, and its relation select was one more call
 * (docs/performance.md). */
async function rawPage(db: Db, tenantId: string, key: GroupKey | null, q: { skip: number; take: number; members: boolean }): Promise<GroupRecord[]> {
  const ids = key
    ? Prisma.sql`SELECT g."id" FROM "ScimGroup" g WHERE ${keyedGroups(tenantId, key)} ORDER BY g."createdAt" ASC, g."id" ASC LIMIT ${q.take} OFFSET ${q.skip}`
    : await pageIdsSql(db, 'Group', tenantId, q.skip, q.take);
  if (!q.members) {
    const rows = await db.$queryRaw<RawRow[]>(Prisma.sql`
      SELECT g."id", g."data", g."version", g."createdAt", g."updatedAt"
      FROM (${ids}) p JOIN "ScimGroup" g ON g."id" = p."id"
      ORDER BY g."createdAt" ASC, g."id" ASC`);
    return rows.map((r) => toRecord(fromRaw(r)));
  }
  const rows = await db.$queryRaw<MemberJoinRow[]>(Prisma.sql`
    SELECT g."id", g."data", g."version", g."createdAt", g."updatedAt", m."userId", m."memberGroupId",
           u."displayName" AS "userDisplay", mg."displayName" AS "groupDisplay"
    FROM (${ids}) p JOIN "ScimGroup" g ON g."id" = p."id"
    LEFT JOIN "ScimMember" m ON m."groupId" = g."id"
    LEFT JOIN "ScimUser" u ON u."id" = m."userId"
    LEFT JOIN "ScimGroup" mg ON mg."id" = m."memberGroupId"
    ORDER BY g."createdAt" ASC, g."id" ASC, m."id" ASC`);
  return foldMembers(rows);
}

/** One record per group from rows that repeat the group once per member (none: one row of NULLs). */
function foldMembers(rows: MemberJoinRow[]): GroupRecord[] {
  const out: GroupRecord[] = [];
  for (const r of rows) {
    let rec = out[out.length - 1];
    if (rec?.id !== r.id) {
      rec = { ...toRecord(fromRaw(r)), members: [] };
      out.push(rec);
    }
    if (r.userId !== null || r.memberGroupId !== null) rec.members!.push(joinedMember(r));
  }
  return out;
}

function fromRaw(r: RawRow): Row {
  return { id: r.id, data: r.data, version: r.version, createdAt: rawDate(r.createdAt), updatedAt: rawDate(r.updatedAt) };
}

async function keyedCount(db: Db, tenantId: string, key: GroupKey | null): Promise<number> {
  const rows = await db.$queryRaw<{ n: unknown }[]>(Prisma.sql`SELECT COUNT(*) AS "n" FROM "ScimGroup" g WHERE ${keyedGroups(tenantId, key)}`);
  return rawCount(rows[0]?.n);
}

/** How many of the tenant's groups `filter` selects; the unfiltered total from the count cache. */
function groupCount(db: Db, counts: TenantCountCache, tenantId: string, filter: GroupWhere): Promise<number> {
  if (isUnfiltered(filter)) return counts.get(tenantId, () => keyedCount(db, tenantId, null));
  const key = groupKey(filter);
  if (key) return keyedCount(db, tenantId, key);
  return db.scimGroup.count({ where: { AND: [{ tenantId }, filter] } });
}

async function listGroups(db: Db, counts: TenantCountCache, tenantId: string, q: GroupListQuery): Promise<{ total: number; records: GroupRecord[] }> {
  const count = () => groupCount(db, counts, tenantId, q.where);
  const key = groupKey(q.where);
  const raw = isListOrder(q.orderBy) && (key !== null || isUnfiltered(q.where));
  try {
    if (q.take === 0) return { total: await count(), records: [] };
    const records = raw ? await rawPage(db, tenantId, key, q) : (await pageRows(db, tenantId, { AND: [{ tenantId }, q.where] }, q)).map(toRecord);
    return { total: await pageTotal(q, records.length, count), records };
  } catch (err) {
    throwNeutral(err);
  }
}

/** The group row as one plain INSERT: a compiled `create` costs more than the statement. */
function insertGroup(q: Pick<Tx, '$executeRaw'>, tenantId: string, id: string, w: GroupWrite, data: string, now: Date) {
  return q.$executeRaw`
    INSERT INTO "ScimGroup" ("id", "tenantId", "displayNameKey", "displayName", "externalId", "data", "version", "createdAt", "updatedAt")
    VALUES (${id}, ${tenantId}, ${w.displayNameKey}, ${w.displayName}, ${w.externalId}, ${data}, ${1}, ${now}, ${now})`;
}

/** Without members (Entra creates a group, then PATCHes its members) the INSERT alone, committed
 * on its own; with members, the INSERT and the member rows in one transaction. The record is
 * built from what was written, not read back. */
async function createGroup(db: Db, counts: TenantCountCache, tenantId: string, id: string, w: GroupWrite, members: MemberRef[]): Promise<GroupRecord> {
  const now = new Date();
  const data = JSON.stringify(w.doc);
  try {
    await counts.changing<unknown>(tenantId, () =>
      members.length === 0
        ? insertGroup(db, tenantId, id, w, data, now)
        : withRetry(() =>
            db.$transaction(async (tx) => {
              await insertGroup(tx, tenantId, id, w, data, now);
              await addMembers(tx, tenantId, id, members);
            }),
          ),
    );
    return toRecord({ id, data, version: 1, createdAt: now, updatedAt: now });
  } catch (err) {
    throwNeutral(err);
  }
}

/** What an update does with the current group: the document to write (null: unchanged) and the
 * member changes, in order. */
export type GroupMutation = (cur: GroupRecord) => { write: GroupWrite | null; deltas: MemberDelta[] };

/** The version bump comes FIRST: it takes the group's row lock (PostgreSQL) or the write lock
 * (SQLite, BEGIN IMMEDIATE) before anything is read, so concurrent PATCHes of one group, from this
 * process or another instance, queue behind each other and each reads the committed result of the
 * one before. Reading first and bumping last behind a version check was correct too, but under
 * PostgreSQL's READ COMMITTED every loser of a race redid its whole transaction (up to 12 attempts
 * with back-off) instead of waiting for one lock. Plain statements: each compiled Prisma call costs
 * more than the statement itself (docs/performance.md); a 50-member add is BEGIN, this bump, one
 * INSERT and COMMIT (server CPU per add 11,900-13,000 µs before, 7,500-7,900 µs after). */
async function updateInTx(tx: Tx, tenantId: string, id: string, mutate: GroupMutation): Promise<GroupRecord> {
  const now = new Date();
  const [bumped] = await tx.$queryRaw<(Row & Indexed)[]>(Prisma.sql`
    UPDATE "ScimGroup" SET "version" = "version" + 1, "updatedAt" = ${now}
    WHERE "id" = ${id} AND "tenantId" = ${tenantId}
    RETURNING "id", "data", "version", "createdAt", "updatedAt", "displayNameKey", "displayName", "externalId"`);
  if (!bumped) throw new NotFound(`group ${id}`);
  const cur: Row = { ...bumped, version: bumped.version - 1 };
  const m = mutate(toRecord(cur));
  for (const d of m.deltas) await applyDelta(tx, tenantId, id, d);
  const data = m.write ? JSON.stringify(m.write.doc) : cur.data;
  if (m.write && !unchanged(bumped, data, m.write)) {
    await tx.$executeRaw`
      UPDATE "ScimGroup" SET "data" = ${data}, "displayNameKey" = ${m.write.displayNameKey}, "displayName" = ${m.write.displayName}, "externalId" = ${m.write.externalId}
      WHERE "id" = ${id} AND "tenantId" = ${tenantId}`;
  }
  return toRecord({ id, data, version: cur.version + 1, createdAt: cur.createdAt, updatedAt: now });
}

/** The stored columns a group write sets. */
type Indexed = { data: string; displayNameKey: string; displayName: string; externalId: string | null };

/** Whether writing `data` and `w`'s columns would leave the row as it is: a member PATCH (Entra's
 * usual one) does not touch the document, and skipping its UPDATE saves a Prisma call. */
function unchanged(row: Indexed, data: string, w: GroupWrite): boolean {
  return row.data === data && row.displayNameKey === w.displayNameKey && row.displayName === w.displayName && row.externalId === w.externalId;
}

/** Load → mutate (pure; If-Match) → member deltas → version bump, in one transaction. */
async function updateGroup(db: Db, tenantId: string, id: string, mutate: GroupMutation): Promise<GroupRecord> {
  try {
    return await withRetry(() => db.$transaction((tx) => updateInTx(tx, tenantId, id, mutate)));
  } catch (err) {
    throwNeutral(err);
  }
}

/** Hard delete; member rows go by cascade. `check` (If-Match) sees the version the delete then requires, when given. */
function removeGroup(db: Db, counts: TenantCountCache, tenantId: string, id: string, check?: (version: number) => void): Promise<boolean> {
  return removeResource(db, counts, 'ScimGroup', tenantId, id, check);
}

export function createGroupsRepo(db: Db) {
  const counts = new TenantCountCache();
  return {
    get: (tenantId: string, id: string, opts: { members: boolean }) => getGroup(db, tenantId, id, opts),
    list: (tenantId: string, q: GroupListQuery) => listGroups(db, counts, tenantId, q),
    create: (tenantId: string, id: string, w: GroupWrite, members: MemberRef[]) => createGroup(db, counts, tenantId, id, w, members),
    update: (tenantId: string, id: string, mutate: GroupMutation) => updateGroup(db, tenantId, id, mutate),
    remove: (tenantId: string, id: string, check?: (version: number) => void) => removeGroup(db, counts, tenantId, id, check),
  };
}

export type GroupsRepo = ReturnType<typeof createGroupsRepo>;
