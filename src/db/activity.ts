// Activity log persistence (issue 4). Writes arrive in batches from src/activity/recorder.ts;
// one batch is one transaction so a flush costs one lock round instead of one per SCIM request
// (stack-notes.md: every Prisma call costs a few hundred µs of CPU and the libsql adapter
// serialises all I/O).
import type { Db } from './client.ts';
import { bindMarkers, directWriter } from './client.ts';

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

const COLUMNS = ['tenantId', 'at', 'grantId', 'clientId', 'method', 'operation', 'resourceType', 'resourceId', 'status', 'outcome', 'scimType', 'detail', 'durationMs'] as const;

// Rows per INSERT statement. A flush is cut into chunks of these sizes only (537 rows = 400 + 100
// + 20 + 5 + 5 + 5 + 1 + 1), so a handful of statement texts exist and stay in the driver's
// statement cache instead of one per batch length pushing SCIM's statements out.
const CHUNK_SIZES = [400, 100, 20, 5, 1];
const insertText = new Map<number, string>();

function insertSql(n: number): string {
  let sql = insertText.get(n);
  if (!sql) {
    const row = `(${bindMarkers(COLUMNS.length)})`;
    sql = `INSERT INTO "Activity" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${Array(n).fill(row).join(', ')}`;
    insertText.set(n, sql);
  }
  return sql;
}

type Statement = { sql: string; args: unknown[] };

function insertRows(rows: ActivityRowInput[]): Statement {
  const args: unknown[] = [];
  for (const r of rows) args.push(r.tenantId, r.at, r.grantId, r.clientId, r.method, r.operation, r.resourceType, r.resourceId, r.status, r.outcome, r.scimType, r.detail, r.durationMs);
  return { sql: insertSql(rows.length), args };
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  let i = 0;
  for (const size of CHUNK_SIZES) {
    for (; rows.length - i >= size; i += size) yield rows.slice(i, i + size);
  }
}

// Standard upsert (SQLite ≥ 3.24 and PostgreSQL share ON CONFLICT … DO UPDATE with `excluded`).
const HOURLY_UPSERT = `INSERT INTO "ActivityHourly" ("tenantId", "hour", "grantId", "requests", "failures", "writes") VALUES (${bindMarkers(6)})
  ON CONFLICT ("tenantId", "hour", "grantId") DO UPDATE SET
  "requests" = "ActivityHourly"."requests" + excluded."requests",
  "failures" = "ActivityHourly"."failures" + excluded."failures",
  "writes" = "ActivityHourly"."writes" + excluded."writes"`;
// Monotonic: a late batch never moves lastScimAt backwards.
const SEEN_BY_GRANT = `UPDATE "Connection" SET "lastScimAt" = ? WHERE "grantId" = ? AND "tenantId" = ? AND ("lastScimAt" IS NULL OR "lastScimAt" < ?)`;
const SEEN_BY_CLIENT = `UPDATE "Connection" SET "lastScimAt" = ? WHERE "clientId" = ? AND "tenantId" = ? AND "revokedAt" IS NULL AND ("lastScimAt" IS NULL OR "lastScimAt" < ?)`;

/**
 * One flush, one transaction: the rows (multi-row INSERTs), the hourly counters and the
 * connections' last-seen times. Written straight on the driver connection when there is one:
 * measured for 400 rows, Prisma's createMany ~55 ms, a Prisma raw query ~30 ms (its per-parameter
 * work dominates: 13 per row), the driver ~5 ms; every millisecond a flush takes is a millisecond
 * SCIM waits (issue 4 §5: recording must cost < 10 %). Otherwise the same statements go through
 * Prisma in one batch transaction.
 */
export async function writeActivityBatch(db: Db, batch: ActivityBatch): Promise<void> {
  const statements: Statement[] = [];
  for (const part of chunks(batch.rows)) statements.push(insertRows(part));
  for (const h of batch.hourly) statements.push({ sql: HOURLY_UPSERT, args: [h.tenantId, h.hour, h.grantId, h.requests, h.failures, h.writes] });
  for (const s of batch.lastSeen) {
    if (s.grantId) statements.push({ sql: SEEN_BY_GRANT, args: [s.at, s.grantId, s.tenantId, s.at] });
    else if (s.clientId) statements.push({ sql: SEEN_BY_CLIENT, args: [s.at, s.clientId, s.tenantId, s.at] });
  }
  if (statements.length === 0) return;
  const direct = directWriter(db);
  if (direct) return direct.writeAtomically(statements);
  await db.$transaction(statements.map((st) => db.$executeRawUnsafe(st.sql, ...st.args)));
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
