// Deep pages from checkpoints give exactly the rows of the plain OFFSET walk, on both databases,
// including when another instance inserts or deletes rows after the checkpoints were taken.
import { test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { Prisma } from '../src/db/generated/client.ts';
import { CHECKPOINT_EVERY, checkpointsHeld, dropCheckpoints, isListOrder, pageIdsSql, walksTaken, type ListResource } from '../src/db/deep-page.ts';
import { testDatabase } from './helpers/test-db.ts';

const T0 = Date.UTC(2026, 0, 1);

/** Two clients (two instances' connections) on one migrated database with tenants t1 and t2. */
async function twoClients(t: { teardown(fn: () => unknown): void }): Promise<[Db, Db]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-deep-page-'));
  const database = testDatabase(dir);
  await migrate(database.url);
  const clients: [Db, Db] = [createDb(database.url), createDb(database.url)];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.$disconnect()));
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const id of ['t1', 't2']) await clients[0].tenant.create({ data: { id, domain: id, domainKey: id, name: id } });
  return clients;
}

// Every third row shares its createdAt with the previous one, so the id tie-break is exercised.
const at = (i: number) => new Date(T0 + (i - (i % 3 === 2 ? 1 : 0)) * 1000);

async function seedUsers(db: Db, tenantId: string, from: number, n: number): Promise<void> {
  for (let s = from; s < from + n; s += 500) {
    const rows = Array.from({ length: Math.min(500, from + n - s) }, (_, k) => {
      const i = s + k;
      return { id: `${tenantId}-u${String(i).padStart(6, '0')}`, tenantId, userNameKey: `${tenantId}-user${i}`, data: '{}', createdAt: at(i) };
    });
    await db.scimUser.createMany({ data: rows });
  }
}

async function ids(db: Db, sql: Prisma.Sql): Promise<string[]> {
  return (await db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT p."id" FROM (${sql}) p JOIN "ScimUser" u ON u."id" = p."id" ORDER BY u."createdAt" ASC, u."id" ASC`)).map((r) => r.id);
}

async function oracle(db: Db, tenantId: string, skip: number, take: number): Promise<string[]> {
  const rows = await db.scimUser.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip, take, select: { id: true } });
  return rows.map((r) => r.id);
}

/** One page of users' ids in list order, read through pageIdsSql as the repositories do. */
const userPage = async (db: Db, tenantId: string, skip: number, take: number) => ids(db, await pageIdsSql(db, 'User', tenantId, skip, take));

const counter = async (db: Db, resource: ListResource, tenantId: string) =>
  Number((await db.$queryRaw<{ n: unknown }[]>(Prisma.sql`SELECT CAST(COALESCE(SUM("n"), 0) AS BIGINT) AS "n" FROM "ScimListCounter" WHERE "tenantId" = ${tenantId} AND "resource" = ${resource}`))[0].n);

test('deep pages equal the OFFSET walk and are reached from checkpoints', async (t) => {
  const [db] = await twoClients(t);
  await seedUsers(db, 't1', 0, 3600);
  await seedUsers(db, 't2', 0, 1200);
  for (const skip of [0, 999, 1000, 1001, 2500, 2999, 3000, 3550, 3599, 3600, 5000]) {
    t.same(await ids(db, await pageIdsSql(db, 'User', 't1', skip, 100)), await oracle(db, 't1', skip, 100), `t1 skip ${skip}`);
  }
  t.equal(checkpointsHeld(db, 'User', 't1'), 3, 'checkpoints at 1000, 2000, 3000, taken as deep as asked');
  t.same(await ids(db, await pageIdsSql(db, 'User', 't2', 1100, 100)), await oracle(db, 't2', 1100, 100), 'other tenant: its own rows only');
  t.equal(checkpointsHeld(db, 'User', 't2'), 1);

  dropCheckpoints(db);
  await pageIdsSql(db, 'User', 't1', 1500, 10);
  t.equal(checkpointsHeld(db, 'User', 't1'), 1, 'a cold process takes checkpoints only as deep as the request');
  t.same(await ids(db, await pageIdsSql(db, 'User', 't1', 3100, 10)), await oracle(db, 't1', 3100, 10), 'continued from the deepest one');
  t.equal(checkpointsHeld(db, 'User', 't1'), 3);
});

test('a write by another instance after the checkpoints: the same statement falls back to the walk', async (t) => {
  const [a, b] = await twoClients(t);
  await seedUsers(a, 't1', 10, 3000);
  const stale = await pageIdsSql(a, 'User', 't1', 2000, 50);
  t.equal(checkpointsHeld(a, 'User', 't1'), 2);

  // Instance b inserts rows before every checkpoint: each position shifts by 10.
  await seedUsers(b, 't1', 0, 10);
  t.same(await ids(a, stale), await oracle(a, 't1', 2000, 50), 'insert before the checkpoints: still exact');
  t.same(await ids(a, await pageIdsSql(a, 'User', 't1', 2000, 50)), await oracle(a, 't1', 2000, 50), 'fresh checkpoints after the insert');

  const again = await pageIdsSql(a, 'User', 't1', 2500, 50);
  await b.scimUser.delete({ where: { id: 't1-u000500' } });
  t.same(await ids(a, again), await oracle(a, 't1', 2500, 50), 'delete before the checkpoint: still exact');

  const cp = await pageIdsSql(a, 'User', 't1', 1000, 20);
  await b.scimUser.delete({ where: { id: (await oracle(b, 't1', 1000, 1))[0] } });
  t.same(await ids(a, cp), await oracle(a, 't1', 1000, 20), 'the checkpoint row itself deleted: still exact');
});

test('the list counter moves with inserts, deletes and list-order moves only', async (t) => {
  const [db] = await twoClients(t);
  await seedUsers(db, 't1', 0, 3);
  const c0 = await counter(db, 'User', 't1');
  t.equal(c0, 3, 'one per insert');
  await db.scimUser.update({ where: { id: 't1-u000001' }, data: { data: '{"x":1}', version: 2 } });
  t.equal(await counter(db, 'User', 't1'), c0, 'a PATCH-like update leaves list positions alone');
  await db.scimUser.update({ where: { id: 't1-u000001' }, data: { createdAt: new Date(T0 - 1000) } });
  t.ok((await counter(db, 'User', 't1')) > c0, 'a createdAt change moves the row');
  const c1 = await counter(db, 'User', 't1');
  await db.scimUser.delete({ where: { id: 't1-u000002' } });
  t.equal(await counter(db, 'User', 't1'), c1 + 1, 'one per delete');
  t.equal(await counter(db, 'User', 't2'), 0, 'other tenants untouched');

  await db.scimGroup.create({ data: { id: 'g1', tenantId: 't1', displayNameKey: 'g1', data: '{}' } });
  t.equal(await counter(db, 'Group', 't1'), 1, 'groups have their own counter');
  await db.scimGroup.delete({ where: { id: 'g1' } });
  t.equal(await counter(db, 'Group', 't1'), 2);
});

test('concurrent deep pages share one checkpoint walk and each still gets its exact page', async (t) => {
  const [db] = await twoClients(t);
  await seedUsers(db, 't1', 0, 4200);
  dropCheckpoints(db);
  const before = walksTaken(db);
  const skips = [3100, 1500, 4000, 2200, 3900, 1000, 4100, 2999];
  const pages = await Promise.all(skips.map((skip) => userPage(db, 't1', skip, 100)));
  for (const [k, skip] of skips.entries()) t.same(pages[k], await oracle(db, 't1', skip, 100), `skip ${skip}`);
  t.equal(checkpointsHeld(db, 'User', 't1'), 4, 'checkpoints to the deepest page asked for');
  // Each walk goes deeper than the one it waited for, so there are at most as many walks as
  // distinct depths asked for (1,000 to 4,000), where every request used to take its own.
  t.ok(walksTaken(db) - before <= 4, `walks taken: ${walksTaken(db) - before} for ${skips.length} requests`);
  const again = walksTaken(db);
  await Promise.all(skips.map((skip) => userPage(db, 't1', skip, 100)));
  t.equal(walksTaken(db), again, 'held checkpoints: no walk at all');
});

test('groups: deep pages equal the walk', async (t) => {
  const [db] = await twoClients(t);
  const rows = Array.from({ length: 1300 }, (_, i) => ({ id: `g${String(i).padStart(5, '0')}`, tenantId: 't1', displayNameKey: `group ${i}`, data: '{}', createdAt: at(i) }));
  await db.scimGroup.createMany({ data: rows });
  const got = (await db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT p."id" FROM (${await pageIdsSql(db, 'Group', 't1', 1234, 40)}) p JOIN "ScimGroup" g ON g."id" = p."id" ORDER BY g."createdAt" ASC, g."id" ASC`)).map((r) => r.id);
  const want = (await db.scimGroup.findMany({ where: { tenantId: 't1' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: 1234, take: 40, select: { id: true } })).map((r) => r.id);
  t.same(got, want);
  t.equal(checkpointsHeld(db, 'Group', 't1'), 1);
  t.equal(CHECKPOINT_EVERY, 1000);
});

test('a page read through pageIdsSql is in list order; isListOrder accepts only the list order', async (t) => {
  const [db] = await twoClients(t);
  await seedUsers(db, 't1', 0, 1500);
  t.same(await userPage(db, 't1', 1200, 30), await oracle(db, 't1', 1200, 30));
  t.same(await userPage(db, 't1', 10, 5), await oracle(db, 't1', 10, 5), 'shallow page: the plain walk');
  t.ok(isListOrder([{ createdAt: 'asc' }, { id: 'asc' }]));
  t.notOk(isListOrder([{ createdAt: 'desc' }, { id: 'asc' }]));
  t.notOk(isListOrder([{ userNameKey: 'asc' }, { id: 'asc' }]));
});
