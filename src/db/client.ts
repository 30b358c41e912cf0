// The one place that constructs a Prisma client. Only src/db/ imports Prisma (architecture.md).
import fs from 'node:fs';
import path from 'node:path';
import { SqliteAdapterFactory, type DirectWriter } from './sqlite-adapter.ts';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;
export type { Prisma } from './generated/client.ts';

/** Resolve a sqlite `file:` URL to an absolute path (relative paths are relative to the cwd). */
export function sqlitePath(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('file:')) return null;
  const p = databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  return path.resolve(p);
}

const factories = new WeakMap<Db, SqliteAdapterFactory>();

/** The driver connection under `db` for bulk side writes (sqlite-adapter.ts), when there is one. */
export function directWriter(db: Db): DirectWriter | null {
  return factories.get(db)?.directWriter() ?? null;
}

export function createDb(databaseUrl: string): Db {
  const file = sqlitePath(databaseUrl);
  if (file === null) {
    throw new Error(`Unsupported DATABASE_URL scheme (only file: SQLite is wired today): ${databaseUrl.split(':')[0]}:`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new SqliteAdapterFactory({ url: `file:${file}` });
  const db = new PrismaClient({ adapter });
  factories.set(db, adapter);
  return db;
}
