// Deep pages of an unfiltered list (`GET /Users?startIndex=50001&count=100`) without walking the
// skipped entries. SCIM pages by position (RFC 7644 §3.4.2.4), and `LIMIT n OFFSET k` makes
// SQLite and PostgreSQL step through k index entries: at 100,000 users a page at startIndex
// 50,001 cost 7-10 ms of index walk against ~0.3 ms at startIndex 1.
//
// Checkpoints: the id of every EVERY-th user in list order (createdAt, id), per tenant, kept in
// this process. A deep page starts from the checkpoint at or before its offset and walks fewer
// than EVERY entries. A checkpoint is only right while no row has been inserted, deleted or moved
// in list order since it was taken, so each set of checkpoints carries the value of the tenant's
// list counter (ScimListCounter, bumped by database triggers in the writing transaction) at the
// moment it was read, and the page statement itself re-reads the counter: when it differs the
// same statement answers by the plain OFFSET walk instead. Exact on both databases and across
// instances, since the counter lives in the database and one statement sees one snapshot.
//
// Checkpoints are taken lazily, only as deep as a request needs, continuing from the deepest one
// already held: after a write, the first deep request pays about the walk it would have paid
// without them, and the next ones are flat. One walk per list at a time: concurrent deep requests
// wait for the walk under way and continue from where it ended. Each taking its own walk from the
// same start, 16 concurrent cold random pages at 1,000,000 users cost 18 s of CPU and 44 s for the
// slowest (sixteen walks of up to a million rows queued on the one connection); sharing the walk,
// 2.3 s and 6 s.
import type { Db } from './client.ts';
import { Prisma } from './generated/client.ts';

export type ListResource = 'User' | 'Group';

/** Positions between checkpoints: the longest walk a deep page still makes. */
export const CHECKPOINT_EVERY = 1000;
const MAX_LISTS = 1000;

const TABLES: Record<ListResource, Prisma.Sql> = { User: Prisma.raw('"ScimUser"'), Group: Prisma.raw('"ScimGroup"') };

interface Checkpoints {
  counter: number;
  /** ids[k] is the id at 0-based position (k + 1) * CHECKPOINT_EVERY. */
  ids: string[];
}

const caches = new WeakMap<Db, Map<string, Checkpoints>>();
/** The walk under way for a set of checkpoints. */
const walking = new WeakMap<Checkpoints, Promise<void>>();
/** Walks taken per client (tests: concurrent requests share one). */
const walks = new WeakMap<Db, number>();

function cacheOf(db: Db): Map<string, Checkpoints> {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

function counterSql(resource: ListResource, tenantId: string): Prisma.Sql {
  return Prisma.sql`(SELECT CAST(COALESCE(SUM("n"), 0) AS BIGINT) FROM "ScimListCounter" WHERE "tenantId" = ${tenantId} AND "resource" = ${resource})`;
}

function plainPage(resource: ListResource, tenantId: string, skip: number, take: number, extra = Prisma.empty, cols = Prisma.sql`u."id"`): Prisma.Sql {
  return Prisma.sql`SELECT ${cols} FROM ${TABLES[resource]} u WHERE u."tenantId" = ${tenantId}${extra}
    ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${take} OFFSET ${skip}`;
}

/** Rows strictly after (or from, with `op` >=) the row `id` in list order, as a WHERE term. */
function fromRow(resource: ListResource, id: string, op: '>' | '>='): Prisma.Sql {
  // The row's createdAt comes from the database in the same statement: no date value makes a
  // round trip through JavaScript, whose formats differ between the two drivers.
  return Prisma.sql` AND (u."createdAt", u."id") ${Prisma.raw(op)} ((SELECT c."createdAt" FROM ${TABLES[resource]} c WHERE c."id" = ${id}), ${id})`;
}

async function readCounter(db: Db, resource: ListResource, tenantId: string): Promise<number> {
  const rows = await db.$queryRaw<{ n: unknown }[]>(Prisma.sql`SELECT ${counterSql(resource, tenantId)} AS "n"`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Takes the checkpoints after the deepest one held up to position `target`, in one statement
 * that also reads the counter; false when the counter moved meanwhile (they would be unusable).
 */
async function extend(db: Db, resource: ListResource, tenantId: string, cps: Checkpoints, target: number): Promise<boolean> {
  const have = cps.ids.length * CHECKPOINT_EVERY;
  const last = cps.ids[cps.ids.length - 1];
  // Row k (1-based) of the walk sits at position have + k after a checkpoint, k - 1 from the start.
  const shift = last === undefined ? -1 : have;
  const rows = last === undefined ? target + 1 : target - have;
  const after = last === undefined ? Prisma.empty : fromRow(resource, last, '>');
  const walk = plainPage(resource, tenantId, 0, rows, after, Prisma.sql`u."id", u."createdAt"`);
  const found = await db.$queryRaw<{ counter: unknown; id: string | null; pos: unknown }[]>(Prisma.sql`
    SELECT k."counter", w."id", w."pos" FROM (SELECT ${counterSql(resource, tenantId)} AS "counter") k
    LEFT JOIN (SELECT r."id", r."rn" + ${shift} AS "pos" FROM (
        SELECT p."id", ROW_NUMBER() OVER (ORDER BY p."createdAt" ASC, p."id" ASC) AS "rn" FROM (${walk}) p) r
      WHERE (r."rn" + ${shift}) % ${CHECKPOINT_EVERY} = 0 AND r."rn" + ${shift} > 0) w ON 1 = 1
    ORDER BY w."pos" ASC`);
  if (Number(found[0]?.counter ?? 0) !== cps.counter) return false;
  for (const r of found) if (r.id !== null && Number(r.pos) === (cps.ids.length + 1) * CHECKPOINT_EVERY) cps.ids.push(r.id);
  return true;
}

/** Extends `cps` to `target` unless another request's walk gets there first; a walk that finds
 * the counter moved drops the set (the page then takes the plain walk). */
async function reach(db: Db, resource: ListResource, tenantId: string, cache: Map<string, Checkpoints>, key: string, cps: Checkpoints, target: number): Promise<void> {
  for (;;) {
    if (cps.ids.length * CHECKPOINT_EVERY >= target || cache.get(key) !== cps) return;
    const running = walking.get(cps);
    if (!running) break;
    // A failed walk is that request's error; this one checks again and may walk itself.
    await running.catch(() => undefined);
  }
  walks.set(db, (walks.get(db) ?? 0) + 1);
  const walk = extend(db, resource, tenantId, cps, target).then((ok) => {
    if (!ok && cache.get(key) === cps) cache.delete(key);
  });
  walking.set(cps, walk);
  try {
    await walk;
  } finally {
    walking.delete(cps);
  }
}

/**
 * The ids of one unfiltered page (`LIMIT take OFFSET skip` in list order) as a subquery with one
 * column "id", for `FROM (<this>) p JOIN ... ON ... = p."id"`. Shallow pages are the plain walk.
 */
export async function pageIdsSql(db: Db, resource: ListResource, tenantId: string, skip: number, take: number): Promise<Prisma.Sql> {
  if (skip < CHECKPOINT_EVERY) return plainPage(resource, tenantId, skip, take);
  const cache = cacheOf(db);
  const key = `${resource}\u0000${tenantId}`;
  const counter = await readCounter(db, resource, tenantId);
  let cps = cache.get(key);
  if (!cps || cps.counter !== counter) {
    if (cache.size >= MAX_LISTS) cache.delete(cache.keys().next().value!);
    cps = { counter, ids: [] };
    cache.set(key, cps);
  }
  const target = Math.floor(skip / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
  await reach(db, resource, tenantId, cache, key, cps, target);
  // Fewer checkpoints than asked: the list is shorter than the offset, or the counter moved.
  const k = Math.min(target / CHECKPOINT_EVERY, cps.ids.length);
  if (k === 0 || cache.get(key) !== cps) return plainPage(resource, tenantId, skip, take);
  const from = k * CHECKPOINT_EVERY;
  // Exactly one branch yields rows. The counter test sits in LIMIT, evaluated once before the
  // walk: a LIMIT of 0 ends the branch at once, where the same test in WHERE made SQLite walk the
  // whole tenant evaluating it per row.
  const counterIs = (op: '=' | '<>') => Prisma.sql`CASE WHEN ${counterSql(resource, tenantId)} ${Prisma.raw(op)} ${cps.counter} THEN ${take} ELSE 0 END`;
  return Prisma.sql`
    SELECT s."id" FROM (SELECT u."id" FROM ${TABLES[resource]} u WHERE u."tenantId" = ${tenantId}${fromRow(resource, cps.ids[k - 1], '>=')}
      ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${counterIs('=')} OFFSET ${skip - from}) s
    UNION ALL
    SELECT f."id" FROM (SELECT u."id" FROM ${TABLES[resource]} u WHERE u."tenantId" = ${tenantId}
      ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${counterIs('<>')} OFFSET ${skip}) f`;
}

/** Is this Prisma orderBy the list order (createdAt, then id, ascending): the order checkpoints keep? */
export function isListOrder(orderBy: readonly object[]): boolean {
  return JSON.stringify(orderBy) === '[{"createdAt":"asc"},{"id":"asc"}]';
}

/** Forgets every checkpoint held for `db` (tests: a cold process). */
export function dropCheckpoints(db: Db): void {
  caches.delete(db);
}

/** How many checkpoint walks `db` has taken (tests). */
export function walksTaken(db: Db): number {
  return walks.get(db) ?? 0;
}

/** How many checkpoints this process holds for a tenant's list (tests). */
export function checkpointsHeld(db: Db, resource: ListResource, tenantId: string): number {
  return caches.get(db)?.get(`${resource}\u0000${tenantId}`)?.ids.length ?? 0;
}
