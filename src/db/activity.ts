// Activity log persistence. Writes arrive in batches from src/activity/flusher.ts;
// one batch is one transaction so a flush costs one lock round instead of one per SCIM request
// (every Prisma call costs a few hundred µs of CPU, and the libsql adapter serialises all I/O).
import type { Db } from './client.ts';
import { directWriter } from './client.ts';
import { Prisma } from './generated/client.ts';

export interface ActivityRowInput {
  tenantId: string;
  at: Date;
  grantId: string | null;
  clientId: string | null;
  method: string;
  operation: string;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  outcome: 'success' | 'failure';
  scimType: string | null;
  detail: string | null;
  durationMs: number;
  /** JSON of src/activity/changes.ts ChangeSummary; absent or null for rows that changed nothing. */
  changes?: string | null;
}

/** Counter increments for one (tenant, hour, connection) bucket. */
export interface HourlyDelta {
  tenantId: string;
  hour: Date;
  grantId: string; // the grant, `client:<clientId>` for client-credentials tokens, '' for neither
  requests: number;
  failures: number;
  writes: number;
}

/** Latest SCIM request seen for one connection. Client-credentials tokens carry no grant. */
export interface LastSeen {
  tenantId: string;
  grantId: string | null;
  clientId: string | null;
  at: Date;
}

export interface ActivityBatch {
  rows: ActivityRowInput[];
  hourly: HourlyDelta[];
  lastSeen: LastSeen[];
}

const COLUMNS: readonly (keyof ActivityRowInput)[] = ['tenantId', 'at', 'grantId', 'clientId', 'method', 'operation', 'resourceType', 'resourceId', 'status', 'outcome', 'scimType', 'detail', 'durationMs', 'changes'];

// Rows per INSERT statement. A flush is cut into chunks of these sizes only (537 rows = 400 + 100
// + 20 + 5 + 5 + 5 + 1 + 1), so a handful of statement texts exist and stay in the driver's
// statement cache instead of one per batch length pushing SCIM's statements out.
const CHUNK_SIZES = [400, 100, 20, 5, 1];
const insertStrings = new Map<number, string[]>();

/** The literal parts around the bound values of an n-row INSERT, built once per chunk size. */
function insertParts(n: number): string[] {
  let parts = insertStrings.get(n);
  if (!parts) {
    parts = [`INSERT INTO "Activity" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (`];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < COLUMNS.length; c++) parts.push(c < COLUMNS.length - 1 ? ', ' : r < n - 1 ? '), (' : ')');
    }
    insertStrings.set(n, parts);
  }
  return parts;
}

// Statements as Prisma.Sql: the driver path reads `.sql` (`?` markers) and `.values`; the Prisma
// path hands the same object to $executeRaw, which writes the markers of its provider.
function insertRows(rows: ActivityRowInput[]): Prisma.Sql {
  const values: unknown[] = [];
  for (const r of rows) for (const c of COLUMNS) values.push(r[c] ?? null);
  return new Prisma.Sql(insertParts(rows.length), values as Prisma.Sql['values']);
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  let i = 0;
  for (const size of CHUNK_SIZES) {
    for (; rows.length - i >= size; i += size) yield rows.slice(i, i + size);
  }
}

// Standard upsert (SQLite ≥ 3.24 and PostgreSQL share ON CONFLICT … DO UPDATE with `excluded`).
const hourlyUpsert = (h: HourlyDelta) => Prisma.sql`
  INSERT INTO "ActivityHourly" ("tenantId", "hour", "grantId", "requests", "failures", "writes")
  VALUES (${h.tenantId}, ${h.hour}, ${h.grantId}, ${h.requests}, ${h.failures}, ${h.writes})
  ON CONFLICT ("tenantId", "hour", "grantId") DO UPDATE SET
  "requests" = "ActivityHourly"."requests" + excluded."requests",
  "failures" = "ActivityHourly"."failures" + excluded."failures",
  "writes" = "ActivityHourly"."writes" + excluded."writes"`;
// Monotonic: a late batch never moves lastScimAt backwards.
const seenByGrant = (s: LastSeen, grantId: string) => Prisma.sql`
  UPDATE "Connection" SET "lastScimAt" = ${s.at}
  WHERE "grantId" = ${grantId} AND "tenantId" = ${s.tenantId} AND ("lastScimAt" IS NULL OR "lastScimAt" < ${s.at})`;
const seenByClient = (s: LastSeen, clientId: string) => Prisma.sql`
  UPDATE "Connection" SET "lastScimAt" = ${s.at}
  WHERE "clientId" = ${clientId} AND "tenantId" = ${s.tenantId} AND "revokedAt" IS NULL AND ("lastScimAt" IS NULL OR "lastScimAt" < ${s.at})`;

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byHourlyKey = (x: HourlyDelta, y: HourlyDelta) => cmp(x.tenantId, y.tenantId) || x.hour.getTime() - y.hour.getTime() || cmp(x.grantId, y.grantId);
const bySeenKey = (x: LastSeen, y: LastSeen) => cmp(x.grantId ?? '', y.grantId ?? '') || cmp(x.clientId ?? '', y.clientId ?? '') || cmp(x.tenantId, y.tenantId);

/**
 * One flush, one transaction: the rows (multi-row INSERTs), the hourly counters and the
 * connections' last-seen times. Written straight on the driver connection when there is one:
 * measured for 400 rows, Prisma's createMany ~55 ms, a Prisma raw query ~30 ms (its per-parameter
 * work dominates: 13 per row), the driver ~5 ms; every millisecond a flush takes is a millisecond
 * SCIM waits (recording must cost SCIM under 10 % of its throughput). Otherwise the same statements go through
 * Prisma in one batch transaction.
 */
export async function writeActivityBatch(db: Db, batch: ActivityBatch): Promise<void> {
  const statements: Prisma.Sql[] = [];
  for (const part of chunks(batch.rows)) statements.push(insertRows(part));
  // Every instance writes the shared rows in one order (by key): two flushes that met the same
  // counters in different request orders would otherwise lock them in opposite orders, and
  // PostgreSQL aborts one of them as a deadlock (40P01).
  for (const h of [...batch.hourly].sort(byHourlyKey)) statements.push(hourlyUpsert(h));
  for (const s of [...batch.lastSeen].sort(bySeenKey)) {
    if (s.grantId) statements.push(seenByGrant(s, s.grantId));
    else if (s.clientId) statements.push(seenByClient(s, s.clientId));
  }
  if (statements.length === 0) return;
  const direct = directWriter(db);
  if (direct) return direct.writeAtomically(statements.map((st) => ({ sql: st.sql, args: st.values })));
  await db.$transaction(statements.map((st) => db.$executeRaw(st)));
}

export interface SweepResult {
  activity: number;
  hourly: number;
}

export async function sweepActivity(db: Db, before: Date): Promise<SweepResult> {
  const [a, h] = await db.$transaction([
    db.activity.deleteMany({ where: { at: { lt: before } } }),
    db.activityHourly.deleteMany({ where: { hour: { lt: before } } }),
  ]);
  return { activity: a.count, hourly: h.count };
}
