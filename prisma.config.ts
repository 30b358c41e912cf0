// Prisma CLI configuration: JS schema engine + a driver adapter, so no native engine download is
// needed (stack-notes.md). The CLI is only used to author migrations; the server applies them itself
// (src/db/migrate.ts). DATABASE_URL picks the provider: `file:` → SQLite (prisma/schema.prisma,
// prisma/migrations), `postgres(ql)://` → PostgreSQL (prisma/postgresql/schema.prisma, derived by
// scripts/derive-pg-schema.sh, and prisma/migrations-postgresql).
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import pg from 'pg';
import { defineConfig } from 'prisma/config';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';

const url = process.env.DATABASE_URL ?? 'file:./data/securelogin.db';
const isPg = /^postgres(ql)?:\/\//i.test(url);
if (url.startsWith('file:')) fs.mkdirSync(path.dirname(url.slice(5)), { recursive: true });

class LibSQLWithFileShadow extends PrismaLibSQL {
  // libsql's default shadow db is :memory: and runs only the first statement of a migration,
  // which reports false drift (stack-notes.md); a temporary file + executeScript fixes it.
  override async connectToShadowDb() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-shadow-'));
    const shadow = new PrismaLibSQL({ url: `file:${path.join(dir, 'shadow.db')}` });
    return shadow.connect();
  }
}

/** prisma/orm#27403: the JS schema engine rejects catalog columns typed `name` (19), `"char"` (18)
 * and their arrays (1003, 1002) while introspecting. Both are plain text on the wire, so relabel
 * them as text (25) / text[] (1009) before the adapter maps the column types. CLI process only. */
function relabelCatalogTypes(): void {
  const proto = (pg as unknown as { Result: { prototype: { addFields(f: { dataTypeID: number }[]): void } } }).Result.prototype;
  const original = proto.addFields;
  const TEXT: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };
  proto.addFields = function (fields) {
    original.call(this, fields);
    for (const f of fields) f.dataTypeID = TEXT[f.dataTypeID] ?? f.dataTypeID;
  };
}

/** The schema engine arms long timers that keep the CLI alive for minutes after its work is done
 * on PostgreSQL; a CLI has nothing to wait for once its command returns. CLI process only. */
function unrefLongTimers(): void {
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t = original(fn, ms, ...args);
    if ((ms ?? 0) >= 10_000) t.unref?.();
    return t;
  }) as typeof setTimeout;
}

/** Discrete fields, not a connection string: with a string, the adapter's shadow database (created
 * by name next to the real one) would be connected to the real database instead. */
function pgPoolConfig(u: string): pg.PoolConfig {
  const p = new URL(u);
  return {
    host: decodeURIComponent(p.hostname),
    port: p.port ? Number(p.port) : 5432,
    user: decodeURIComponent(p.username),
    password: decodeURIComponent(p.password),
    database: decodeURIComponent(p.pathname.slice(1)),
    max: 2,
    // `?schema=` as at run time (src/db/pg-url.ts): the CLI then reads and writes that schema.
    ...(p.searchParams.get('schema') ? { options: `-c search_path="${p.searchParams.get('schema')}"` } : {}),
  };
}

if (isPg) {
  relabelCatalogTypes();
  unrefLongTimers();
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: isPg ? path.join('prisma', 'postgresql', 'schema.prisma') : path.join('prisma', 'schema.prisma'),
  migrations: { path: isPg ? path.join('prisma', 'migrations-postgresql') : path.join('prisma', 'migrations') },
  async adapter() {
    if (isPg) {
      const schema = new URL(url).searchParams.get('schema') ?? undefined;
      return new PrismaPg(pgPoolConfig(url), schema ? { schema } : undefined);
    }
    return new LibSQLWithFileShadow({ url });
  },
});
