// Which database a test runs on. Unset TEST_DATABASE_URL: a SQLite file in the test's temporary
// directory. Set (the PostgreSQL pass, postgresql://…): a schema of the test's own in that
// database, created by the migrator and dropped at teardown, so parallel tests never share rows.
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

export const PG_BASE_URL = process.env.TEST_DATABASE_URL?.trim() || null;
export const onPostgres = PG_BASE_URL !== null;

/** For `t.test(name, { skip: sqliteOnly('why') }, …)`: skipped, with its reason, on the pg pass. */
export function sqliteOnly(why: string): string | false {
  return onPostgres ? `SQLite only: ${why}` : false;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export function withSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return u.toString();
}

const byDir = new Map<string, TestDatabase>();

/** The one database of temporary directory `dir` (its `name` file on SQLite), for tests where
 * several processes (server, CLI) must find the same database from the directory alone. */
export function dirDatabase(dir: string, name = 'test.db'): TestDatabase {
  const key = path.join(dir, name);
  let db = byDir.get(key);
  if (!db) {
    db = testDatabase(dir, name);
    byDir.set(key, db);
  }
  return db;
}

/** A database URL for one server or one repository test; `dir` holds the SQLite file. */
export function testDatabase(dir: string, name = 'test.db'): TestDatabase {
  if (!PG_BASE_URL) return { url: `file:${path.join(dir, name)}`, async drop() {} };
  const schema = `t_${process.pid}_${crypto.randomBytes(6).toString('hex')}`;
  return {
    url: withSchema(PG_BASE_URL, schema),
    async drop() {
      const u = new URL(PG_BASE_URL);
      const client = new pg.Client({
        host: u.hostname,
        port: Number(u.port || 5432),
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: decodeURIComponent(u.pathname.slice(1)),
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
