// The one place that constructs a Prisma client. Only src/db/ imports Prisma (docs/architecture.md).
//
// QUERY LAYER RULE (both databases, SQLite and PostgreSQL, run every statement below src/db/):
// 1. Prisma model calls (findMany, create, update, ...) by default: Prisma writes them for the
//    provider, so they are portable by construction.
// 2. `Prisma.sql` statements only in repository files (src/db/<table>.ts), each next to the
//    measurement that justified leaving the model API. They must be portable SQL: double-quoted
//    identifiers, booleans and dates bound as parameters (never 0/1 or text-date literals), LIKE
//    with an explicit ESCAPE, COUNT(*) read through Number(), date columns read through
//    rawDate() (raw-values.ts), and at most 65,535 bind parameters per statement.
// 3. The SQLite driver shortcut (directWriter) only inside the SQLite adapter's reach: callers
//    must keep a Prisma path for when it returns null, as it does on PostgreSQL.
// Repositories throw neutral errors (errors.ts); the services map them to SCIM or page errors.
import { SqliteAdapterFactory, type DirectWriter } from './sqlite-adapter.ts';
import { prepareSqliteFile } from './sqlite-file.ts';
import { asStorageUnavailable } from './storage-errors.ts';
import { StorageHealth, type StorageHealthState } from './storage-health.ts';
import { PrismaClient } from './generated/client.ts';
import { PrismaClient as PgPrismaClient } from './generated-pg/client.ts';
import { PgAdapterFactory } from './pg-adapter.ts';
import { isPostgresUrl, parsePgUrl } from './pg-url.ts';

export type Db = PrismaClient;
export type { Prisma } from './generated/client.ts';
export { sqlitePath } from './sqlite-file.ts';

export interface DbOptions {
  /** Longest wait for a write lock held by another process (DB_BUSY_WAIT_MS). */
  busyWaitMs?: number;
}

const DEFAULT_BUSY_WAIT_MS = 5000;
const PRISMA_MAX_WAIT_MS = 2000;

interface Storage {
  /** null on PostgreSQL: no driver shortcut, no write probe. */
  factory: SqliteAdapterFactory | null;
  health: StorageHealth;
}
const storages = new WeakMap<Db, Storage>();
const postgres = new WeakSet<Db>();
/** How long closing a PostgreSQL client waits for statements under way, then for Prisma's disconnect. */
const PG_CLOSE_WAIT_MS = 5000;

/** Whether `db` runs on PostgreSQL (for the few filters Prisma spells differently per provider). */
export function isPostgres(db: Db): boolean {
  return postgres.has(db);
}

/** The driver connection under `db` for bulk side writes (sqlite-adapter.ts), when there is one. */
export function directWriter(db: Db): DirectWriter | null {
  return storages.get(db)?.factory?.directWriter() ?? null;
}

export interface StorageCheck extends StorageHealthState {
  /** What the write probe met, when it failed. */
  probe?: string;
}

/**
 * Readiness of the storage under `db`: writes have not been failing lately, and a write could be
 * made now (probe: take the lock, write, roll back; waits at most `waitMs` for a lock).
 */
export async function checkStorage(db: Db, waitMs: number): Promise<StorageCheck> {
  const storage = storages.get(db);
  if (!storage) return { ok: true };
  try {
    // Opens the connection if nothing has yet; the probe needs it.
    await db.$queryRawUnsafe('SELECT 1');
    // PostgreSQL has no file lock to probe: SELECT 1 plus the recent-failure window is the check.
    await storage.factory?.probeWrite(waitMs);
  } catch (e) {
    const fault = asStorageUnavailable(e);
    return { ok: false, reason: fault?.reason ?? 'io', probe: fault?.reason ?? 'error', since: new Date().toISOString() };
  }
  return storage.health.state();
}

export function createDb(databaseUrl: string, opts: DbOptions = {}): Db {
  if (isPostgresUrl(databaseUrl)) return createPgDb(databaseUrl, opts);
  const file = prepareSqliteFile(databaseUrl);
  const health = new StorageHealth();
  const busyWaitMs = opts.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  // The connection opens on the first query; migrate() has opened and written the file by then.
  const factory = new SqliteAdapterFactory({ url: `file:${file}` }, { busyWaitMs, health });
  // maxWait bounds how long an interactive transaction waits to start: behind this process's own
  // transactions (Prisma's default, 2 s) plus the wait for another process's write lock, which the
  // adapter bounds itself with SQLITE_BUSY (Prisma's 2 s alone cut a 5 s lock wait short, and it
  // refuses 0).
  const db = new PrismaClient({ adapter: factory, transactionOptions: { maxWait: busyWaitMs + PRISMA_MAX_WAIT_MS } });
  storages.set(db, { factory, health });
  return db;
}

function createPgDb(databaseUrl: string, opts: DbOptions): Db {
  const health = new StorageHealth();
  const factory = new PgAdapterFactory(parsePgUrl(databaseUrl), health);
  const busyWaitMs = opts.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  // The one cast between the two generated clients: both come from the same models
  // (prisma/postgresql/schema.prisma is derived from prisma/schema.prisma), so their model APIs
  // are identical and only the embedded provider differs; the SQLite client's type stands for both.
  const db = new PgPrismaClient({ adapter: factory, transactionOptions: { maxWait: busyWaitMs } }) as unknown as Db;
  const disconnect = db.$disconnect.bind(db);
  db.$disconnect = () => factory.close(disconnect, PG_CLOSE_WAIT_MS);
  storages.set(db, { factory: null, health });
  postgres.add(db);
  return db;
}
