// Applies prisma/migrations/* at start-up, in-process, recording them in Prisma's own
// `_prisma_migrations` table with Prisma's checksum, so `prisma migrate deploy/status` agree with us.
// Spawning the Prisma CLI instead costs seconds per start and per test database.
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pendingMigrations } from './migration-files.ts';
import { createClient, type Client } from '@libsql/client';
import { prepareSqliteFile, startupErrorFromSqlite } from './sqlite-file.ts';
import { isPostgresUrl } from './pg-url.ts';
import { migratePg } from './pg-migrate.ts';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma', 'migrations');

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** Applies pending migrations (prisma/migrations on SQLite, prisma/migrations-postgresql on
 * PostgreSQL, see pg-migrate.ts). A database that cannot be used (wrong path, read-only, not a
 * database, full disk) fails with a StartupError: one line saying what to fix. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  if (isPostgresUrl(databaseUrl)) return migratePg(databaseUrl);
  const file = prepareSqliteFile(databaseUrl);
  const client = createClient({ url: `file:${file}` });
  try {
    return await apply(client);
  } catch (e) {
    throw startupErrorFromSqlite(file, e) ?? e;
  } finally {
    client.close();
  }
}

async function apply(client: Client): Promise<string[]> {
  // Start-up may meet the CLI or another instance migrating: waiting here blocks nothing yet.
  await client.execute('PRAGMA busy_timeout = 5000');
  // WAL is persistent in the file: readers never block the single writer.
  await client.execute('PRAGMA journal_mode=WAL');
  // A read-only file shows only at the first write; try one now rather than at the first request.
  await client.execute('BEGIN IMMEDIATE');
  await client.execute('ROLLBACK');
  await client.execute(CREATE_TABLE);
  const done = new Set(
    (await client.execute('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')).rows.map(
      (r) => String(r.migration_name),
    ),
  );
  const applied: string[] = [];
  for (const { name, sql, checksum } of pendingMigrations(MIGRATIONS_DIR, done)) {
    const id = crypto.randomUUID();
    await client.execute({
      sql: 'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
      args: [id, checksum, name, new Date().toISOString()],
    });
    await client.executeMultiple(`BEGIN;\n${sql}\nCOMMIT;`);
    await client.execute({
      sql: 'UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?',
      args: [new Date().toISOString(), id],
    });
    applied.push(name);
  }
  return applied;
}
