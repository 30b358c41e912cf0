// Start-up migrations on PostgreSQL: prisma/migrations-postgresql/* in name order, through `pg`
// directly, recorded in Prisma's `_prisma_migrations` with Prisma's checksum (sha256 of the file)
// so `prisma migrate status/deploy` agree with us. Instances starting together serialise on an
// advisory lock; each applies what is still pending after it gets the lock.
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pendingMigrations } from './migration-files.ts';
import pg from 'pg';
import { StartupError } from '../startup-error.ts';
import { parsePgUrl, redactPgUrl } from './pg-url.ts';
import { startupErrorFromPg } from './pg-startup-errors.ts';

export const PG_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma', 'migrations-postgresql');

// The key `prisma migrate deploy` locks on, so the CLI and a starting instance exclude each other.
// Other schemas (one per test server, or per tenant group) lock (key, hash of the schema name)
// instead: migrating one schema never waits for another.
const PRISMA_MIGRATE_LOCK = 72707369;
// Longer than any migration takes; a holder that never lets go (a frozen instance) must not stall
// every start behind it forever.
const LOCK_WAIT = '120s';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export async function migratePg(databaseUrl: string): Promise<string[]> {
  const target = parsePgUrl(databaseUrl);
  const client = new pg.Client({ ...target.pool, options: undefined });
  // A server that drops the connection mid-migration emits 'error' on the client; the failing
  // query reports it, so the event itself must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw startupErrorFromPg(databaseUrl, e);
  }
  try {
    await client.query(`SET lock_timeout = '${LOCK_WAIT}'`);
    const [lock, unlock] =
      target.schema === 'public'
        ? [`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`, `SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`]
        : [`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK}, hashtext($1))`, `SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK}, hashtext($1))`];
    const lockArgs = target.schema === 'public' ? [] : [target.schema];
    try {
      await client.query(lock, lockArgs);
    } catch (e) {
      if ((e as { code?: string }).code === '55P03') {
        throw new StartupError(`another process has held the migration lock on ${redactPgUrl(databaseUrl)} for ${LOCK_WAIT}: is an instance or a prisma migrate stuck?`);
      }
      throw e;
    }
    try {
      // Under the lock: two sessions racing CREATE SCHEMA IF NOT EXISTS can both try to create it.
      if (target.schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
      await client.query(`SET search_path TO "${target.schema}"`);
      return await apply(client);
    } finally {
      await client.query(unlock, lockArgs).catch(() => {});
    }
  } catch (e) {
    throw e instanceof StartupError ? e : startupErrorFromPg(databaseUrl, e);
  } finally {
    await client.end().catch(() => {});
  }
}

async function apply(client: pg.Client): Promise<string[]> {
  await client.query(CREATE_TABLE);
  const done = new Set(
    (await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')).rows.map(
      (r) => r.migration_name,
    ),
  );
  const applied: string[] = [];
  for (const { name, sql, checksum } of pendingMigrations(PG_MIGRATIONS_DIR, done)) {
    // DDL is transactional on PostgreSQL: a failing migration leaves neither tables nor a row.
    await client.query('BEGIN');
    try {
      const id = crypto.randomUUID();
      await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [
        id,
        checksum,
        name,
      ]);
      await client.query(sql);
      await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw new StartupError(`migration ${name} failed on PostgreSQL: ${(e as Error).message}`);
    }
    applied.push(name);
  }
  return applied;
}
