// Repository for SCIM Users: the only Prisma access for ScimUser / ScimUserValue. Every query
// carries tenantId (tenant isolation). `data` is the stored resource (JSON); the other columns
// are derived by the caller (userIndex) so filters, sorting and uniqueness run in the database.
// Failures leave as the neutral errors of errors.ts (UniqueViolation, NotFound,
// ReferenceNotFound, Conflict, UnstorableValue); the service words them.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';
import { RetryTransaction, withRetry } from './retry.ts';
import { removeResource } from './versioned-delete.ts';
import { DEFERRED_JOIN_MIN_SKIP, TenantCountCache, inIdOrder, isUnfiltered, ofTenant, pageTotal } from './paging.ts';
import { NotFound, ReferenceNotFound, throwNeutral } from './errors.ts';
import type { UserLookup } from '../scim/filter/key-lookup.ts';
import { pageIdsSql } from './deep-page.ts';

export type UserWhere = Prisma.ScimUserWhereInput;
export type UserOrderBy = Prisma.ScimUserOrderByWithRelationInput;

/** Values of the derived query columns, by column name. */
export type ColumnValues = Record<string, string | boolean | null>;

/** What the service hands over for a write: the resource and the columns derived from it. */
export interface UserWrite {
  doc: Record<string, unknown>;
  columns: ColumnValues;
  values: ColumnValues[];
  displayName: string | null;
  /** The document as JSON when the caller serialised it already (to bound its size). */
  json?: string;
}

export interface UserRecord {
  id: string;
  data: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  managerId: string | null;
  managerDisplayName?: string | null;
  groups?: { value: string; display: string }[];
}

const BASE_SELECT = { id: true, data: true, version: true, createdAt: true, updatedAt: true, managerId: true } as const;

type Row = {
  id: string;
  data: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  managerId: string | null;
};

// Whitelists: the only identifiers ever spliced into SQL text.
const USER_COLUMNS: ReadonlySet<string> = new Set(Object.values(Prisma.ScimUserScalarFieldEnum));
const VALUE_COLUMNS: ReadonlySet<string> = new Set(Object.values(Prisma.ScimUserValueScalarFieldEnum));

/** A portable multi-row INSERT; every row has the first row's columns (missing ones are NULL).
 * Columns NULL in every row are left to the INSERT's default (NULL: every such column is nullable
 * without a default): a user has ~30 columns and each value row ~13, mostly empty, and every bind
 * parameter is JSON-encoded and compiled by Prisma. */
function insertSql(table: 'ScimUser' | 'ScimUserValue', columns: ReadonlySet<string>, rows: Record<string, unknown>[]): Prisma.Sql {
  const names = Object.keys(rows[0]).filter((n) => rows.some((r) => r[n] !== null && r[n] !== undefined));
  for (const n of names) if (!columns.has(n)) throw new Error(`${table} has no column ${n}`);
  const list = Prisma.raw(names.map((n) => `"${n}"`).join(', '));
  const values = rows.map((r) => Prisma.sql`(${Prisma.join(names.map((n) => r[n] ?? null))})`);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${list}) VALUES ${Prisma.join(values)}`;
}

/** Value rows per INSERT: SQLite binds at most 32,766 parameters per statement (a row has ~14),
 * and a user may have up to 8 × 1,000 value rows. */
const VALUE_ROWS_PER_STATEMENT = 500;

function valueInserts(tenantId: string, userId: string, values: ColumnValues[]): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  for (let i = 0; i < values.length; i += VALUE_ROWS_PER_STATEMENT) {
    out.push(insertSql('ScimUserValue', VALUE_COLUMNS, values.slice(i, i + VALUE_ROWS_PER_STATEMENT).map((v) => ({ tenantId, userId, ...v }))));
  }
  return out;
}

function toRecord(row: Row): UserRecord {
  const { id, version, createdAt, updatedAt, managerId } = row;
  return { id, data: JSON.parse(row.data) as Record<string, unknown>, version, createdAt, updatedAt, managerId };
}

/** The row a write leaves behind, built from what was written (no read-back). */
function written(id: string, w: UserWrite, data: string, version: number, createdAt: Date, updatedAt: Date): UserRecord {
  const managerId = typeof w.columns.managerId === 'string' ? w.columns.managerId : null;
  return toRecord({ id, data, version, createdAt, updatedAt, managerId });
}

function columnsFor(w: UserWrite) {
  return { ...w.columns, displayName: w.displayName, data: JSON.stringify(w.doc) } as Record<string, unknown>;
}

function sameValues(a: ColumnValues[], b: ColumnValues[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type Reader = Pick<Db, '$queryRaw'>;
type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** manager.value must name a User of the same tenant, as group members must: another tenant's
 * user and an id that exists nowhere get the same answer, so nothing leaks across tenants. */
async function requireManager(q: Reader, tenantId: string, managerId: unknown): Promise<void> {
  if (typeof managerId !== 'string') return;
  const rows = await q.$queryRaw<{ id: string; tenantId: string }[]>(Prisma.sql`SELECT "id", "tenantId" FROM "ScimUser" WHERE "id" = ${managerId}`);
  if (ofTenant(tenantId, rows).length === 0) throw new ReferenceNotFound('manager', managerId);
}

/** Direct group memberships of a page of users, in one query. A relation select costs two Prisma
 * queries (members, then groups); this is the Entra lookup's hot path. Portable SQL: quoted
 * Prisma table/column names, no provider functions. */
async function attachGroups(db: Db, tenantId: string, recs: UserRecord[]): Promise<void> {
  if (recs.length === 0) return;
  const rows = await db.$queryRaw<{ userId: string; id: string; displayName: string }[]>(Prisma.sql`
    SELECT m."userId" AS "userId", g."id" AS "id", g."displayName" AS "displayName"
    FROM "ScimMember" m JOIN "ScimGroup" g ON g."id" = m."groupId"
    WHERE m."tenantId" = ${tenantId} AND m."userId" IN (${Prisma.join(recs.map((r) => r.id))})
    ORDER BY m."id"`);
  const byUser = new Map<string, { value: string; display: string }[]>(recs.map((r) => [r.id, []]));
  for (const r of rows) byUser.get(r.userId)?.push({ value: r.id, display: r.displayName });
  for (const r of recs) r.groups = byUser.get(r.id) ?? [];
}

/** Manager display names for a page of users in one query (enterprise manager.displayName), for
 * the users whose read did not bring it already. A plain statement: the compiled findMany it replaces
 * cost 900-1,140 µs against 390-470 µs for the same read (in-process, loaded machine). By
 * primary key, with the tenant checked on each row (ofTenant says why). */
async function attachManagers(db: Db, tenantId: string, recs: UserRecord[]): Promise<void> {
  const ids = [...new Set(recs.map((r) => (r.managerDisplayName === undefined ? r.managerId : null)).filter((x): x is string => !!x))];
  if (ids.length === 0) return;
  const rows = ofTenant(tenantId, await db.$queryRaw<{ id: string; tenantId: string; displayName: string | null }[]>(Prisma.sql`
    SELECT "id", "tenantId", "displayName" FROM "ScimUser" WHERE "id" IN (${Prisma.join(ids)})`));
  const byId = new Map(rows.map((r) => [r.id, r.displayName]));
  for (const r of recs) if (r.managerId && r.managerDisplayName === undefined) r.managerDisplayName = byId.get(r.managerId) ?? null;
}

/** Paging of a list: skip/take, whether the groups are wanted, and `total: false` when the caller
 * needs no exact total. */
export interface UserPageQuery {
  skip: number;
  take: number;
  groups: boolean;
  total?: false;
}

/** FROM and WHERE of the users matching an indexed key (or all of the tenant's), aliased u. */
function keyedUsers(tenantId: string, key: UserLookup | null): { from: Prisma.Sql; where: Prisma.Sql } {
  const where = Prisma.sql`u."tenantId" = ${tenantId}`;
  if (key?.kind === 'column') {
    if (!USER_COLUMNS.has(key.column)) throw new Error(`ScimUser has no column ${key.column}`);
    return { from: Prisma.sql`"ScimUser" u`, where: Prisma.sql`${where} AND u.${Prisma.raw(`"${key.column}"`)} = ${key.value}` };
  }
  if (key?.kind !== 'value') return { from: Prisma.sql`"ScimUser" u`, where };
  // The matching element rows first, from their index, then the users by primary key. CROSS
  // JOIN fixes that order for SQLite, whose planner would otherwise walk the whole tenant in
  // page order and probe each user (no statistics); PostgreSQL plans it as an inner join.
  const type = key.typeKey !== undefined ? Prisma.sql` AND "typeKey" = ${key.typeKey}` : Prisma.empty;
  const from = Prisma.sql`(SELECT DISTINCT "userId" AS "id" FROM "ScimUserValue"
    WHERE "tenantId" = ${tenantId} AND "attr" = ${key.attr} AND "valueKey" = ${key.valueKey}${type}) v
    CROSS JOIN "ScimUser" u`;
  return { from, where: Prisma.sql`u."id" = v."id" AND ${where}` };
}

type PageRow = Row & { managerDisplayName: string | null; groupId?: string | null; groupDisplay?: string | null };

/** The page's ids from an index (LIMIT/OFFSET walk index entries only, a deferred join), then
 * those users with their manager's displayName and, when asked, one row per group. */
function pageSql(users: { from: Prisma.Sql; where: Prisma.Sql }, q: UserPageQuery, ids?: Prisma.Sql): Prisma.Sql {
  const groups = q.groups
    ? Prisma.sql`LEFT JOIN "ScimMember" m ON m."userId" = u."id" AND m."tenantId" = u."tenantId"
        LEFT JOIN "ScimGroup" g ON g."id" = m."groupId"`
    : Prisma.empty;
  const groupCols = q.groups ? Prisma.sql`, g."id" AS "groupId", g."displayName" AS "groupDisplay"` : Prisma.empty;
  const groupOrder = q.groups ? Prisma.sql`, m."id" ASC` : Prisma.empty;
  return Prisma.sql`
    SELECT u."id", u."data", u."version", u."createdAt", u."updatedAt", u."managerId",
           mgr."displayName" AS "managerDisplayName"${groupCols}
    FROM (${ids ?? Prisma.sql`SELECT u."id" FROM ${users.from} WHERE ${users.where} ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${q.take} OFFSET ${q.skip}`}) p
    JOIN "ScimUser" u ON u."id" = p."id"
    LEFT JOIN "ScimUser" mgr ON mgr."id" = u."managerId" AND mgr."tenantId" = u."tenantId"
    ${groups}
    ORDER BY u."createdAt" ASC, u."id" ASC${groupOrder}`;
}

/** One record per user from the page's rows (one row per group membership when joined). */
function foldPage(rows: PageRow[], groups: boolean): UserRecord[] {
  const records: UserRecord[] = [];
  for (const r of rows) {
    let rec = records[records.length - 1];
    if (rec?.id !== r.id) {
      rec = toRecord(r);
      if (r.managerId) rec.managerDisplayName = r.managerDisplayName;
      if (groups) rec.groups = [];
      records.push(rec);
    }
    if (r.groupId) rec.groups!.push({ value: r.groupId, display: r.groupDisplay ?? '' });
  }
  return records;
}

/** A page of users, unfiltered or by equality on one indexed key (the shape of Entra's per-cycle
 * lookups), in the same order and with the same totals as `list`, as ONE portable SQL query. Each
 * Prisma call has a fixed cost of ~200 µs on top of the query (docs/performance.md), so the
 * compiled relation selects of `list` (three calls) cost more than the lookup itself. */
async function findUserPage(db: Db, counts: TenantCountCache, tenantId: string, key: UserLookup | null, q: UserPageQuery): Promise<{ total: number; records: UserRecord[] }> {
  const users = keyedUsers(tenantId, key);
  const countQuery = async () =>
    Number((await db.$queryRaw<{ n: number | bigint }[]>(Prisma.sql`SELECT COUNT(*) AS "n" FROM ${users.from} WHERE ${users.where}`))[0]?.n ?? 0);
  const count = () => (key ? countQuery() : counts.get(tenantId, countQuery));
  try {
    if (q.take === 0) return { total: await count(), records: [] };
    // The whole collection: deep pages start from a position checkpoint (deep-page.ts).
    const ids = key ? undefined : await pageIdsSql(db, 'User', tenantId, q.skip, q.take);
    const records = foldPage(await db.$queryRaw<PageRow[]>(pageSql(users, q, ids)), q.groups);
    return { total: await pageTotal(q, records.length, count), records };
  } catch (err) {
    throwNeutral(err);
  }
}

async function getUser(db: Db, counts: TenantCountCache, tenantId: string, id: string, opts: { groups: boolean }): Promise<UserRecord | null> {
  const page = await findUserPage(db, counts, tenantId, { kind: 'column', column: 'id', value: id }, { skip: 0, take: 1, groups: opts.groups, total: false });
  return page.records[0] ?? null;
}

export interface UserListQuery extends UserPageQuery {
  where: UserWhere;
  orderBy: UserOrderBy[];
}

/** The page's rows; past DEFERRED_JOIN_MIN_SKIP the ids first, then those rows by primary key. */
async function userPageRows(db: Db, tenantId: string, where: UserWhere, q: UserListQuery): Promise<Row[]> {
  const page = { where, orderBy: q.orderBy, skip: q.skip, take: q.take };
  if (q.skip < DEFERRED_JOIN_MIN_SKIP) return db.scimUser.findMany({ ...page, select: BASE_SELECT });
  const ids = (await db.scimUser.findMany({ ...page, select: { id: true } })).map((r) => r.id);
  if (ids.length === 0) return [];
  return inIdOrder(ids, ofTenant(tenantId, await db.scimUser.findMany({ where: { id: { in: ids } }, select: { ...BASE_SELECT, tenantId: true } })));
}

/** One page in the database (skip/take) plus an exact total. The count query is skipped when
 * the page itself proves the total (a short page), which is every Entra lookup by filter. */
async function listUsers(db: Db, counts: TenantCountCache, tenantId: string, q: UserListQuery): Promise<{ total: number; records: UserRecord[] }> {
  const where: UserWhere = { AND: [{ tenantId }, q.where] };
  const count = () =>
    isUnfiltered(q.where) ? counts.get(tenantId, () => db.scimUser.count({ where: { tenantId } })) : db.scimUser.count({ where });
  try {
    if (q.take === 0) return { total: await count(), records: [] };
    const rows = await userPageRows(db, tenantId, where, q);
    const total = await pageTotal(q, rows.length, count);
    const records = rows.map(toRecord);
    if (q.groups) await attachGroups(db, tenantId, records);
    await attachManagers(db, tenantId, records);
    return { total, records };
  } catch (err) {
    throwNeutral(err);
  }
}

/** One batch transaction of two plain INSERTs (user row, value rows). Prisma's nested create
 * took five calls, each compiled by its query compiler (BEGIN, INSERT, INSERT, SELECT, COMMIT):
 * ~2.2x the time (docs/performance.md). The record is built from what was written. */
async function createUser(db: Db, counts: TenantCountCache, tenantId: string, id: string, w: UserWrite): Promise<UserRecord> {
  const now = new Date();
  const data = w.json ?? JSON.stringify(w.doc);
  const row = { id, tenantId, ...w.columns, displayName: w.displayName, data, version: 1, createdAt: now, updatedAt: now };
  try {
    await requireManager(db, tenantId, w.columns.managerId);
    const statements = [db.$executeRaw(insertSql('ScimUser', USER_COLUMNS, [row]))];
    for (const sql of valueInserts(tenantId, id, w.values)) statements.push(db.$executeRaw(sql));
    await counts.changing(tenantId, () => db.$transaction(statements));
    const rec = written(id, w, data, 1, now, now);
    await attachManagers(db, tenantId, [rec]);
    return rec;
  } catch (err) {
    throwNeutral(err);
  }
}

/** What an update does with the current user: the write, and the value rows it had (to skip
 * rewriting them when they did not change). May throw (If-Match, an invalid PATCH). */
export type UserMutation = (cur: UserRecord) => UserWrite & { oldValues?: ColumnValues[] };

/** Load → mutate → save inside one transaction. The update is keyed by the version read, so on a
 * database with real concurrency (PostgreSQL) a concurrent writer makes it change no row, and the
 * whole transaction runs again instead of overwriting that change. Plain statements, for the
 * reason given at createUser. */
async function updateInTx(tx: Tx, tenantId: string, id: string, mutate: UserMutation, prepared?: Prepared): Promise<UserRecord> {
  const { cur, w } = prepared ?? (await readAndMutate(tx, tenantId, id, mutate));
  // Only a changed manager is checked: a manager deleted since must not block other edits.
  if (w.columns.managerId !== cur.managerId) await requireManager(tx, tenantId, w.columns.managerId);
  const now = new Date();
  const data = w.json ?? JSON.stringify(w.doc);
  const changed = await tx.$executeRaw(userUpdateSql(tenantId, id, cur.version, { ...w.columns, displayName: w.displayName, data, updatedAt: now }));
  if (changed !== 1) throw new RetryTransaction();
  // Value rows are rewritten only when they changed: most Entra PATCHes touch scalars.
  if (!w.oldValues || !sameValues(w.oldValues, w.values)) {
    await tx.$executeRaw`DELETE FROM "ScimUserValue" WHERE "tenantId" = ${tenantId} AND "userId" = ${id}`;
    for (const sql of valueInserts(tenantId, id, w.values)) await tx.$executeRaw(sql);
  }
  const rec = written(id, w, data, cur.version + 1, cur.createdAt, now);
  if (prepared?.cur.groups) rec.groups = prepared.cur.groups;
  if (prepared && cur.managerId && w.columns.managerId === cur.managerId) rec.managerDisplayName = cur.managerDisplayName;
  return rec;
}

/** A read and the write made from it before the transaction (updateInBatch): the transaction's
 * first attempt starts from them, its version-keyed UPDATE proving them still current. */
interface Prepared {
  cur: UserRecord;
  w: ReturnType<UserMutation>;
}

async function readAndMutate(tx: Tx, tenantId: string, id: string, mutate: UserMutation): Promise<Prepared> {
  const [row] = await tx.$queryRaw<Row[]>(Prisma.sql`
    SELECT "id", "data", "version", "createdAt", "updatedAt", "managerId" FROM "ScimUser"
    WHERE "id" = ${id} AND "tenantId" = ${tenantId}`);
  if (!row) throw new NotFound(`user ${id}`);
  const cur = toRecord(row);
  return { cur, w: mutate(cur) };
}

async function updateUser(db: Db, counts: TenantCountCache, tenantId: string, id: string, mutate: UserMutation, opts: { groups: boolean }): Promise<UserRecord> {
  try {
    const out = await updateInBatch(db, counts, tenantId, id, mutate, opts);
    if ('done' in out) return out.done;
    let first = out.prepared;
    const rec = await withRetry(() =>
      db.$transaction((tx) => {
        const prepared = first;
        first = undefined;
        return updateInTx(tx, tenantId, id, mutate, prepared);
      }),
    );
    if (opts.groups && !rec.groups) await attachGroups(db, tenantId, [rec]);
    if (rec.managerDisplayName === undefined) await attachManagers(db, tenantId, [rec]);
    return rec;
  } catch (err) {
    throwNeutral(err);
  }
}

/** A value row changed in place: the stored row, found by its content, takes the new content. */
export interface ValueChange {
  from: ColumnValues;
  to: ColumnValues;
}

/** The value rows that change in place, when every change can be written as an UPDATE that finds
 * exactly one row by its old content; null when rows come or go (or move), which the interactive
 * update rewrites. Each old content must be unique and absent from the new list, and each new
 * content absent from the old list, so no UPDATE can match a row another one already wrote, nor
 * a row a concurrent writer of the same document left. */
export function inPlaceChanges(before: ColumnValues[], after: ColumnValues[]): ValueChange[] | null {
  if (before.length !== after.length) return null;
  const was = before.map((v) => JSON.stringify(v));
  const now = after.map((v) => JSON.stringify(v));
  const changes: ValueChange[] = [];
  for (let i = 0; i < was.length; i++) {
    if (was[i] === now[i]) continue;
    if (before[i].attr !== after[i].attr) return null;
    if (was.indexOf(was[i]) !== i || was.indexOf(was[i], i + 1) !== -1 || now.includes(was[i]) || was.includes(now[i])) return null;
    changes.push({ from: before[i], to: after[i] });
  }
  return changes;
}

/** True in the batch only after its own UPDATE: the row carries the version and the document this
 * write gave it. A concurrent writer that won holds another document (nothing changes), or this
 * very document, whose value rows are then already the ones this write would leave. */
function ownWrite(tenantId: string, id: string, version: number, data: string): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "ScimUser" o WHERE o."id" = ${id} AND o."tenantId" = ${tenantId} AND o."version" = ${version} AND o."data" = ${data})`;
}

function columnIs(name: string, value: unknown): Prisma.Sql {
  if (!VALUE_COLUMNS.has(name)) throw new Error(`ScimUserValue has no column ${name}`);
  const col = Prisma.raw(`"${name}"`);
  return value === null || value === undefined ? Prisma.sql`${col} IS NULL` : Prisma.sql`${col} = ${value}`;
}

function valueUpdateSql(tenantId: string, id: string, c: ValueChange, guard: Prisma.Sql): Prisma.Sql {
  const set = Object.keys(c.to)
    .filter((n) => c.to[n] !== c.from[n])
    .map((n) => {
      if (!VALUE_COLUMNS.has(n)) throw new Error(`ScimUserValue has no column ${n}`);
      return Prisma.sql`${Prisma.raw(`"${n}"`)} = ${c.to[n] ?? null}`;
    });
  const match = Object.keys(c.from).map((n) => columnIs(n, c.from[n]));
  return Prisma.sql`UPDATE "ScimUserValue" SET ${Prisma.join(set)}
    WHERE "tenantId" = ${tenantId} AND "userId" = ${id} AND ${Prisma.join(match, ' AND ')} AND ${guard}`;
}

function userUpdateSql(tenantId: string, id: string, version: number, set: Record<string, unknown>): Prisma.Sql {
  const assignments = Object.keys(set).map((n) => {
    if (!USER_COLUMNS.has(n)) throw new Error(`ScimUser has no column ${n}`);
    return Prisma.sql`${Prisma.raw(`"${n}"`)} = ${set[n] ?? null}`;
  });
  return Prisma.sql`
    UPDATE "ScimUser" SET ${Prisma.join(assignments)}, "version" = "version" + 1
    WHERE "id" = ${id} AND "tenantId" = ${tenantId} AND "version" = ${version}`;
}

/** Read, mutate, then writeInBatch. Otherwise the interactive update does it: rows come or go or
 * the manager changes (checked inside that transaction), starting from this read and write; or a
 * concurrent writer won the version, and it reads again, so contention is met exactly as before. */
async function updateInBatch(db: Db, counts: TenantCountCache, tenantId: string, id: string, mutate: UserMutation, opts: { groups: boolean }): Promise<{ done: UserRecord } | { prepared?: Prepared }> {
  // GET's one statement: the row, its manager's displayName and, when asked, its groups, where the
  // interactive update paid a SELECT inside its transaction and two more after it.
  const cur = await getUser(db, counts, tenantId, id, opts);
  if (!cur) throw new NotFound(`user ${id}`);
  const w = mutate(cur);
  const changes = w.columns.managerId === cur.managerId && w.oldValues ? inPlaceChanges(w.oldValues, w.values) : null;
  if (!changes) return { prepared: { cur, w } };
  const done = await writeInBatch(db, tenantId, cur, w, changes);
  return done ? { done } : {};
}

/** ONE batch transaction: the UPDATE keyed by the version `cur` was read at, then the in-place
 * value-row UPDATEs guarded by ownWrite. An interactive transaction paid BEGIN, COMMIT and a
 * compile per statement; this compiles once. null when the version moved on: then nothing
 * changed. Exported for the test that gives it a stale read. */
export async function writeInBatch(db: Db, tenantId: string, cur: UserRecord, w: UserWrite, changes: ValueChange[]): Promise<UserRecord | null> {
  const now = new Date();
  const data = w.json ?? JSON.stringify(w.doc);
  const version = cur.version + 1;
  const statements = [db.$executeRaw(userUpdateSql(tenantId, cur.id, cur.version, { ...w.columns, displayName: w.displayName, data, updatedAt: now }))];
  if (changes.length > 0) {
    const guard = ownWrite(tenantId, cur.id, version, data);
    for (const c of changes) statements.push(db.$executeRaw(valueUpdateSql(tenantId, cur.id, c, guard)));
  }
  const [changed] = await db.$transaction(statements);
  if (changed !== 1) return null;
  const rec = written(cur.id, w, data, version, cur.createdAt, now);
  if (cur.managerId) rec.managerDisplayName = cur.managerDisplayName;
  if (cur.groups) rec.groups = cur.groups;
  return rec;
}

/** Hard delete; memberships and value rows go by cascade. `check` (If-Match) sees the version the
 * delete then requires, when given. */
function removeUser(db: Db, counts: TenantCountCache, tenantId: string, id: string, check?: (version: number) => void): Promise<boolean> {
  return removeResource(db, counts, 'ScimUser', tenantId, id, check);
}

/** Many users in one statement, written as given: no manager check, so tests can seed states the service refuses (a manager in another tenant). */
async function createManyUsers(db: Db, counts: TenantCountCache, tenantId: string, items: { id: string; w: UserWrite }[]): Promise<void> {
  counts.invalidate(tenantId);
  await db.$transaction([
    db.scimUser.createMany({ data: items.map(({ id, w }) => ({ id, tenantId, ...(columnsFor(w) as object) })) as Prisma.ScimUserCreateManyInput[] }),
    db.scimUserValue.createMany({
      data: items.flatMap(({ id, w }) => w.values.map((v) => ({ ...v, tenantId, userId: id }))) as Prisma.ScimUserValueCreateManyInput[],
    }),
  ]);
}

export function createUsersRepo(db: Db) {
  const counts = new TenantCountCache();
  return {
    get: (tenantId: string, id: string, opts: { groups: boolean }) => getUser(db, counts, tenantId, id, opts),
    findPage: (tenantId: string, key: UserLookup | null, q: UserPageQuery) => findUserPage(db, counts, tenantId, key, q),
    list: (tenantId: string, q: UserListQuery) => listUsers(db, counts, tenantId, q),
    create: (tenantId: string, id: string, w: UserWrite) => createUser(db, counts, tenantId, id, w),
    update: (tenantId: string, id: string, mutate: UserMutation, opts: { groups: boolean } = { groups: false }) => updateUser(db, counts, tenantId, id, mutate, opts),
    remove: (tenantId: string, id: string, check?: (version: number) => void) => removeUser(db, counts, tenantId, id, check),
    createMany: (tenantId: string, items: { id: string; w: UserWrite }[]) => createManyUsers(db, counts, tenantId, items),
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
