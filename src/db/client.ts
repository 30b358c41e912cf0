// The one place that constructs a Prisma client. Only src/db/ imports Prisma (architecture.md).
import { SqliteAdapterFactory, type DirectWriter } from './sqlite-adapter.ts';
import { prepareSqliteFile } from './sqlite-file.ts';
import { asStorageUnavailable } from './storage-errors.ts';
import { StorageHealth, type StorageHealthState } from './storage-health.ts';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;
export type { Prisma } from './generated/client.ts';
export { sqlitePath } from './sqlite-file.ts';

export interface DbOptions {
  /** Longest wait for a write lock held by another process (DB_BUSY_WAIT_MS). */
  busyWaitMs?: number;
}

const DEFAULT_BUSY_WAIT_MS = 5000;

interface Storage {
  factory: SqliteAdapterFactory;
  health: StorageHealth;
}
const storages = new WeakMap<Db, Storage>();

/** The driver connection under `db` for bulk side writes (sqlite-adapter.ts), when there is one. */
export function directWriter(db: Db): DirectWriter | null {
  return storages.get(db)?.factory.directWriter() ?? null;
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
    await storage.factory.probeWrite(waitMs);
  } catch (e) {
    const fault = asStorageUnavailable(e);
    return { ok: false, reason: fault?.reason ?? 'io', probe: fault?.reason ?? 'error', since: new Date().toISOString() };
  }
  return storage.health.state();
}

export function createDb(databaseUrl: string, opts: DbOptions = {}): Db {
  const file = prepareSqliteFile(databaseUrl);
  const health = new StorageHealth();
  const busyWaitMs = opts.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  // The connection opens on the first query; migrate() has opened and written the file by then.
  const factory = new SqliteAdapterFactory({ url: `file:${file}` }, { busyWaitMs, health });
  // maxWait bounds how long an interactive transaction waits to start; the write lock is taken
  // when it starts, so the bound is the lock wait's (Prisma's default, 2 s, cut it short).
  const db = new PrismaClient({ adapter: factory, transactionOptions: { maxWait: busyWaitMs } });
  storages.set(db, { factory, health });
  return db;
}
