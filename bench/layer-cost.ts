// node bench/layer-cost.ts
// CPU per database call by layer, in-process and sequential, on one migrated SQLite file: the raw
// `libsql` driver with a prepared statement, Prisma's raw-query path, a compiled Prisma model
// call, and a write transaction of two INSERTs through each. Median microseconds of 7 rounds
// of 500 calls. These are the numbers the per-request budget in docs/performance.md adds up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'libsql';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { Prisma } from '../src/db/generated/client.ts';

interface Conn {
  exec(sql: string): unknown;
  prepare(sql: string): { run(args: unknown[]): unknown; all(args: unknown[]): unknown[]; raw(on: boolean): unknown };
  close(): unknown;
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-cost-'));
const url = `file:${path.join(dir, 'l.db')}`;
await migrate(url);
const db = createDb(url);
await db.tenant.create({ data: { id: 't', domain: 't', domainKey: 't', name: 't' } });
await db.scimUser.createMany({ data: Array.from({ length: 1000 }, (_, i) => ({ id: `u${i}`, tenantId: 't', userNameKey: `user${i}`, data: '{}' })) });
const driver = new Database(path.join(dir, 'l.db')) as unknown as Conn;
driver.exec('PRAGMA synchronous = NORMAL');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function cost(name: string, fn: (i: number) => unknown): Promise<void> {
  const rounds: number[] = [];
  let n = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) await fn(n++);
    rounds.push(((performance.now() - t0) * 1000) / 500);
  }
  console.log(`| ${name} | ${median(rounds).toFixed(0)} |`);
}

const sel = driver.prepare('SELECT "id", "data", "version" FROM "ScimUser" WHERE "id" = ?');
sel.raw(true);
const ins = driver.prepare('INSERT INTO "ScimUser" ("id", "tenantId", "userNameKey", "data", "updatedAt") VALUES (?, ?, ?, ?, ?)');
console.log('| call | µs |\n|---|---|');
await cost('driver: prepared SELECT by primary key', (i) => sel.all([`u${i % 1000}`]));
await cost('Prisma $queryRaw: the same SELECT', (i) => db.$queryRaw(Prisma.sql`SELECT "id", "data", "version" FROM "ScimUser" WHERE "id" = ${`u${i % 1000}`}`));
await cost('Prisma findUnique by id (compiled model query)', (i) => db.scimUser.findUnique({ where: { id: `u${i % 1000}` }, select: { id: true, data: true, version: true } }));
await cost('driver: BEGIN IMMEDIATE, 2 INSERTs, COMMIT', () => {
  driver.exec('BEGIN IMMEDIATE');
  const now = new Date().toISOString();
  ins.run([randomUUID(), 't', randomUUID(), '{}', now]);
  ins.run([randomUUID(), 't', randomUUID(), '{}', now]);
  driver.exec('COMMIT');
});
await cost('Prisma $transaction([$executeRaw INSERT x2])', () => {
  const now = new Date();
  const one = () => db.$executeRaw(Prisma.sql`INSERT INTO "ScimUser" ("id", "tenantId", "userNameKey", "data", "updatedAt") VALUES (${randomUUID()}, ${'t'}, ${randomUUID()}, ${'{}'}, ${now})`);
  return db.$transaction([one(), one()]);
});
await cost('Prisma interactive $transaction, 1 SELECT + 1 UPDATE', (i) =>
  db.$transaction(async (tx) => {
    await tx.$queryRaw(Prisma.sql`SELECT "version" FROM "ScimUser" WHERE "id" = ${`u${i % 1000}`}`);
    await tx.$executeRaw(Prisma.sql`UPDATE "ScimUser" SET "version" = "version" + 1 WHERE "id" = ${`u${i % 1000}`}`);
  }),
);
driver.close();
await db.$disconnect();
fs.rmSync(dir, { recursive: true, force: true });
