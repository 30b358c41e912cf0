// Repository for SCIM Users: the only Prisma access for ScimUser / ScimUserValue. Every query
// carries tenantId (tenant isolation). `data` is the stored resource (JSON); the other columns
// are derived by the caller (userIndex) so filters, sorting and uniqueness run in the database.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';
import { mapPrismaError, RetryTransaction, withRetry } from './scim-db-errors.ts';
import { DEFERRED_JOIN_MIN_SKIP, TenantCountCache, inIdOrder, isUnfiltered, ofTenant } from './paging.ts';
import { InvalidValueError, NotFoundError } from '../scim/errors.ts';
import type { UserLookup } from '../scim/filter/key-lookup.ts';

export type UserWhere = Prisma.ScimUserWhereInput;
export type UserOrderBy = Prisma.ScimUserOrderByWithRelationInput;

/** What the service hands over for a write: the resource and the columns derived from it. */
export interface UserWrite {
  doc: Record<string, unknown>;
  columns: Record<string, unknown>;
  values: Record<string, unknown>[];
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

/** A portable multi-row INSERT; every row has the first row's columns (missing ones are NULL). */
function insertSql(table: 'ScimUser' | 'ScimUserValue', columns: ReadonlySet<string>, rows: Record<string, unknown>[]): Prisma.Sql {
  const names = Object.keys(rows[0]);
  for (const n of names) if (!columns.has(n)) throw new Error(`${table} has no column ${n}`);
  const list = Prisma.raw(names.map((n) => `"${n}"`).join(', '));
  const values = rows.map((r) => Prisma.sql`(${Prisma.join(names.map((n) => r[n] ?? null))})`);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${list}) VALUES ${Prisma.join(values)}`;
}

/** Value rows per INSERT: SQLite binds at most 32,766 parameters per statement (a row has ~14),
 * and a user may have up to 8 × 1,000 value rows. */
const VALUE_ROWS_PER_STATEMENT = 500;

function valueInserts(tenantId: string, userId: string, values: Record<string, unknown>[]): Prisma.Sql[] {
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

function uniqueDetail(doc: Record<string, unknown>): string {
  return `userName "${String(doc.userName ?? '')}" is already in use in this tenant`;
}

function columnsFor(w: UserWrite) {
  return { ...w.columns, displayName: w.displayName, data: JSON.stringify(w.doc) } as Record<string, unknown>;
}

function sameValues(a: Record<string, unknown>[], b: Record<string, unknown>[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type Reader = Pick<Db, '$queryRaw'>;

/** manager.value must name a User of the same tenant, as group members must: another tenant's
 * user and an id that exists nowhere get the same answer, so nothing leaks across tenants. */
async function requireManager(q: Reader, tenantId: string, managerId: unknown): Promise<void> {
  if (typeof managerId !== 'string') return;
  const rows = await q.$queryRaw<{ id: string; tenantId: string }[]>(Prisma.sql`SELECT "id", "tenantId" FROM "ScimUser" WHERE "id" = ${managerId}`);
  if (ofTenant(tenantId, rows).length === 0) {
    throw new InvalidValueError(`manager value "${managerId.length > 100 ? `${managerId.slice(0, 100)}…` : managerId}" is not a User in this tenant`);
  }
}

export function createUsersRepo(db: Db) {
  const counts = new TenantCountCache();
  /** Direct group memberships of a page of users, in one query. A relation select costs two Prisma
   * queries (members, then groups); this is the Entra lookup's hot path. Portable SQL: quoted
   * Prisma table/column names, no provider functions. */
  async function attachGroups(tenantId: string, recs: UserRecord[]): Promise<void> {
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

  /** Manager display names for a page of users in one query (enterprise manager.displayName). */
  async function attachManagers(tenantId: string, recs: UserRecord[]): Promise<void> {
    const ids = [...new Set(recs.map((r) => r.managerId).filter((x): x is string => !!x))];
    if (ids.length === 0) return;
    const rows = ofTenant(tenantId, await db.scimUser.findMany({ where: { id: { in: ids } }, select: { id: true, tenantId: true, displayName: true } }));
    const byId = new Map(rows.map((r) => [r.id, r.displayName]));
    for (const r of recs) if (r.managerId) r.managerDisplayName = byId.get(r.managerId) ?? null;
  }

  const repo = {
    async get(tenantId: string, id: string, opts: { groups: boolean }): Promise<UserRecord | null> {
      const page = await repo.findPage(tenantId, { kind: 'column', column: 'id', value: id }, { skip: 0, take: 1, groups: opts.groups, total: false });
      return page.records[0] ?? null;
    },

    /** A page of users, unfiltered or by equality on one indexed key column (the shape of Entra's
     * per-cycle lookups), in the same order and with the same totals as `list`, as ONE portable
     * SQL query: the page's ids from an index (LIMIT/OFFSET walk index entries only, a deferred
     * join), then those users with their manager's displayName and their groups. Each Prisma call
     * has a fixed cost of ~200 µs on top of the query (docs/performance.md), so the compiled
     * relation selects of `list` (three calls) cost more than the lookup itself. */
    async findPage(
      tenantId: string,
      key: UserLookup | null,
      q: { skip: number; take: number; groups: boolean; total?: false },
    ): Promise<{ total: number; records: UserRecord[] }> {
      // FROM and WHERE of the matching users, aliased u.
      let from = Prisma.sql`"ScimUser" u`;
      let where = Prisma.sql`u."tenantId" = ${tenantId}`;
      if (key?.kind === 'column') {
        if (!USER_COLUMNS.has(key.column)) throw new Error(`ScimUser has no column ${key.column}`);
        where = Prisma.sql`${where} AND u.${Prisma.raw(`"${key.column}"`)} = ${key.value}`;
      } else if (key?.kind === 'value') {
        // The matching element rows first, from their index, then the users by primary key. CROSS
        // JOIN fixes that order for SQLite, whose planner would otherwise walk the whole tenant in
        // page order and probe each user (no statistics); PostgreSQL plans it as an inner join.
        const type = key.typeKey !== undefined ? Prisma.sql` AND "typeKey" = ${key.typeKey}` : Prisma.empty;
        from = Prisma.sql`(SELECT DISTINCT "userId" AS "id" FROM "ScimUserValue"
          WHERE "tenantId" = ${tenantId} AND "attr" = ${key.attr} AND "valueKey" = ${key.valueKey}${type}) v
          CROSS JOIN "ScimUser" u`;
        where = Prisma.sql`u."id" = v."id" AND ${where}`;
      }
      const countQuery = async () =>
        Number((await db.$queryRaw<{ n: number | bigint }[]>(Prisma.sql`SELECT COUNT(*) AS "n" FROM ${from} WHERE ${where}`))[0]?.n ?? 0);
      const count = () => (key ? countQuery() : counts.get(tenantId, countQuery));
      const groups = q.groups
        ? Prisma.sql`LEFT JOIN "ScimMember" m ON m."userId" = u."id" AND m."tenantId" = u."tenantId"
            LEFT JOIN "ScimGroup" g ON g."id" = m."groupId"`
        : Prisma.empty;
      const groupCols = q.groups ? Prisma.sql`, g."id" AS "groupId", g."displayName" AS "groupDisplay"` : Prisma.empty;
      const groupOrder = q.groups ? Prisma.sql`, m."id" ASC` : Prisma.empty;
      try {
        if (q.take === 0) return { total: await count(), records: [] };
        const rows = await db.$queryRaw<(Row & { managerDisplayName: string | null; groupId?: string | null; groupDisplay?: string | null })[]>(Prisma.sql`
          SELECT u."id", u."data", u."version", u."createdAt", u."updatedAt", u."managerId",
                 mgr."displayName" AS "managerDisplayName"${groupCols}
          FROM (SELECT u."id" FROM ${from} WHERE ${where} ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${q.take} OFFSET ${q.skip}) p
          JOIN "ScimUser" u ON u."id" = p."id"
          LEFT JOIN "ScimUser" mgr ON mgr."id" = u."managerId" AND mgr."tenantId" = u."tenantId"
          ${groups}
          ORDER BY u."createdAt" ASC, u."id" ASC${groupOrder}`);
        const records: UserRecord[] = [];
        for (const r of rows) {
          let rec = records[records.length - 1];
          if (rec?.id !== r.id) {
            rec = toRecord(r);
            if (r.managerId) rec.managerDisplayName = r.managerDisplayName;
            if (q.groups) rec.groups = [];
            records.push(rec);
          }
          if (r.groupId) rec.groups!.push({ value: r.groupId, display: r.groupDisplay ?? '' });
        }
        const n = records.length;
        const total = (n > 0 && n < q.take) || q.total === false ? q.skip + n : q.skip === 0 && n === 0 ? 0 : await count();
        return { total, records };
      } catch (err) {
        mapPrismaError(err, '');
      }
    },

    /** One page in the database (skip/take) plus an exact total. The count query is skipped when
     * the page itself proves the total (a short page), which is every Entra lookup by filter. */
    async list(
      tenantId: string,
      q: { where: UserWhere; orderBy: UserOrderBy[]; skip: number; take: number; groups: boolean; total?: false },
    ): Promise<{ total: number; records: UserRecord[] }> {
      const where: UserWhere = { AND: [{ tenantId }, q.where] };
      const count = () =>
        isUnfiltered(q.where) ? counts.get(tenantId, () => db.scimUser.count({ where: { tenantId } })) : db.scimUser.count({ where });
      try {
        if (q.take === 0) return { total: await count(), records: [] };
        const page = { where, orderBy: q.orderBy, skip: q.skip, take: q.take };
        const rows =
          q.skip < DEFERRED_JOIN_MIN_SKIP
            ? await db.scimUser.findMany({ ...page, select: BASE_SELECT })
            : await (async () => {
                const ids = (await db.scimUser.findMany({ ...page, select: { id: true } })).map((r) => r.id);
                if (ids.length === 0) return [];
                return inIdOrder(ids, ofTenant(tenantId, await db.scimUser.findMany({ where: { id: { in: ids } }, select: { ...BASE_SELECT, tenantId: true } })));
              })();
        const total =
          (rows.length > 0 && rows.length < q.take) || q.total === false ? q.skip + rows.length : q.skip === 0 && rows.length === 0 ? 0 : await count();
        const records = rows.map(toRecord);
        if (q.groups) await attachGroups(tenantId, records);
        await attachManagers(tenantId, records);
        return { total, records };
      } catch (err) {
        mapPrismaError(err, '');
      }
    },

    /** One batch transaction of two plain INSERTs (user row, value rows). Prisma's nested create
     * took five calls, each compiled by its query compiler (BEGIN, INSERT, INSERT, SELECT, COMMIT):
     * ~2.2x the time (docs/performance.md). The record is built from what was written. */
    async create(tenantId: string, id: string, w: UserWrite): Promise<UserRecord> {
      const now = new Date();
      const data = w.json ?? JSON.stringify(w.doc);
      const row = { id, tenantId, ...w.columns, displayName: w.displayName, data, version: 1, createdAt: now, updatedAt: now };
      try {
        await requireManager(db, tenantId, w.columns.managerId);
      } catch (err) {
        mapPrismaError(err, '');
      }
      const statements = [db.$executeRaw(insertSql('ScimUser', USER_COLUMNS, [row]))];
      for (const sql of valueInserts(tenantId, id, w.values)) statements.push(db.$executeRaw(sql));
      try {
        await counts.changing(tenantId, () => db.$transaction(statements));
      } catch (err) {
        mapPrismaError(err, uniqueDetail(w.doc));
      }
      const rec = written(id, w, data, 1, now, now);
      await attachManagers(tenantId, [rec]);
      return rec;
    },

    /** Load → mutate (pure, may throw, e.g. If-Match) → save, in one transaction. The update is
     * keyed by the version read, so on a database with real concurrency (PostgreSQL) a lost race
     * retries the whole transaction instead of overwriting a concurrent change. */
    async update(
      tenantId: string,
      id: string,
      mutate: (cur: UserRecord) => UserWrite & { oldValues?: Record<string, unknown>[] },
      opts: { groups: boolean } = { groups: false },
    ): Promise<UserRecord> {
      let doc: Record<string, unknown> = {};
      try {
        // Plain statements in the transaction, for the reason given at create().
        const rec = await withRetry(() =>
          db.$transaction(async (tx) => {
            const [cur] = await tx.$queryRaw<Row[]>(Prisma.sql`
              SELECT "id", "data", "version", "createdAt", "updatedAt", "managerId" FROM "ScimUser"
              WHERE "id" = ${id} AND "tenantId" = ${tenantId}`);
            if (!cur) throw new NotFoundError(`User ${id} not found`);
            const w = mutate(toRecord(cur));
            doc = w.doc;
            // Only a changed manager is checked: a manager deleted since must not block other edits.
            if (w.columns.managerId !== cur.managerId) await requireManager(tx, tenantId, w.columns.managerId);
            const now = new Date();
            const data = w.json ?? JSON.stringify(w.doc);
            const set: Record<string, unknown> = { ...w.columns, displayName: w.displayName, data, updatedAt: now };
            const assignments = Object.keys(set).map((n) => {
              if (!USER_COLUMNS.has(n)) throw new Error(`ScimUser has no column ${n}`);
              return Prisma.sql`${Prisma.raw(`"${n}"`)} = ${set[n] ?? null}`;
            });
            const changed = await tx.$executeRaw(Prisma.sql`
              UPDATE "ScimUser" SET ${Prisma.join(assignments)}, "version" = "version" + 1
              WHERE "id" = ${id} AND "tenantId" = ${tenantId} AND "version" = ${cur.version}`);
            // Keyed by the version read: a concurrent writer on a database with real concurrency
            // (PostgreSQL) makes this 0, and the whole transaction runs again.
            if (changed !== 1) throw new RetryTransaction();
            // Value rows are rewritten only when they changed: most Entra PATCHes touch scalars.
            if (!w.oldValues || !sameValues(w.oldValues, w.values)) {
              await tx.$executeRaw`DELETE FROM "ScimUserValue" WHERE "tenantId" = ${tenantId} AND "userId" = ${id}`;
              for (const sql of valueInserts(tenantId, id, w.values)) await tx.$executeRaw(sql);
            }
            return written(id, w, data, cur.version + 1, cur.createdAt, now);
          }),
        );
        if (opts.groups) await attachGroups(tenantId, [rec]);
        await attachManagers(tenantId, [rec]);
        return rec;
      } catch (err) {
        mapPrismaError(err, uniqueDetail(doc));
      }
    },

    /** Hard delete; memberships and value rows go by cascade. `check` runs inside the transaction
     * (If-Match) when given. */
    async remove(tenantId: string, id: string, check?: (version: number) => void): Promise<boolean> {
      try {
        return await counts.changing(tenantId, async () => {
          if (!check) return (await db.scimUser.deleteMany({ where: { tenantId, id } })).count > 0;
          return db.$transaction(async (tx) => {
            const cur = await tx.scimUser.findFirst({ where: { tenantId, id }, select: { version: true } });
            if (!cur) return false;
            check(cur.version);
            return (await tx.scimUser.deleteMany({ where: { tenantId, id } })).count > 0;
          });
        });
      } catch (err) {
        mapPrismaError(err, '');
      }
    },

    /** Bulk seeding for the benchmark's scale mode: many users in one statement. */
    async createMany(tenantId: string, items: { id: string; w: UserWrite }[]): Promise<void> {
      counts.invalidate(tenantId);
      await db.$transaction([
        db.scimUser.createMany({ data: items.map(({ id, w }) => ({ id, tenantId, ...(columnsFor(w) as object) })) as Prisma.ScimUserCreateManyInput[] }),
        db.scimUserValue.createMany({
          data: items.flatMap(({ id, w }) => w.values.map((v) => ({ ...v, tenantId, userId: id }))) as Prisma.ScimUserValueCreateManyInput[],
        }),
      ]);
    },
  };
  return repo;
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
