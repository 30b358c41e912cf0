// node bench/deep-page.ts [--users 100000] [--database-url postgresql://…]
// In-process cost of one unfiltered page of 100 at several offsets: the plain OFFSET walk against
// the checkpointed statement of src/db/deep-page.ts, once cold (the first deep request takes the
// checkpoints up to its offset) and then warm. Warm figures: median of 50 runs, milliseconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { Prisma } from '../src/db/generated/client.ts';
import { pageIdsSql } from '../src/db/deep-page.ts';

const args = process.argv.slice(2);
const arg = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const USERS = Number(arg('users', '100000'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-page-bench-'));
const base = arg('database-url', '');
const url = base ? (() => { const u = new URL(base); u.searchParams.set('schema', `deep_${process.pid}`); return u.toString(); })() : `file:${path.join(dir, 'b.db')}`;
await migrate(url);
const db = createDb(url);
await db.tenant.create({ data: { id: 't', domain: 't', domainKey: 't', name: 't' } });
const t0 = Date.UTC(2026, 0, 1);
for (let s = 0; s < USERS; s += 2000) {
  await db.scimUser.createMany({ data: Array.from({ length: Math.min(2000, USERS - s) }, (_, k) => ({ id: `u${String(s + k).padStart(8, '0')}`, tenantId: 't', userNameKey: `user${s + k}`, data: '{}', createdAt: new Date(t0 + s + k) })) });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (sql: Prisma.Sql) => {
  const ms: number[] = [];
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    await db.$queryRaw(sql);
    ms.push(performance.now() - s);
  }
  return median(ms);
};
console.log(`| startIndex | plain OFFSET ms | first checkpointed request ms (takes the checkpoints) | checkpointed ms |\n|---|---|---|---|`);
for (const skip of [0, 1000, Math.floor(USERS / 10), Math.floor(USERS / 2), USERS - 100]) {
  const plain = Prisma.sql`SELECT u."id" FROM "ScimUser" u WHERE u."tenantId" = ${'t'} ORDER BY u."createdAt" ASC, u."id" ASC LIMIT ${100} OFFSET ${skip}`;
  const cold = performance.now();
  const cp = await pageIdsSql(db, 'User', 't', skip, 100);
  await db.$queryRaw(cp);
  const coldMs = performance.now() - cold;
  console.log(`| ${skip + 1} | ${(await time(plain)).toFixed(2)} | ${coldMs.toFixed(2)} | ${(await time(cp)).toFixed(2)} |`);
}
await db.$disconnect();
if (base) {
  const pg = (await import('pg')).default;
  const u = new URL(base);
  const c = new pg.Client({ host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
  await c.connect();
  await c.query(`DROP SCHEMA "deep_${process.pid}" CASCADE`);
  await c.end();
}
fs.rmSync(dir, { recursive: true, force: true });
