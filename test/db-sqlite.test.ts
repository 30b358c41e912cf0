// The SQLite adapter runs every Prisma transaction on one long-lived connection (src/db/
// sqlite-adapter.ts): settings stick, rollbacks leave nothing behind and do not poison the
// connection, and interleaved transactions from concurrent requests stay isolated.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { directWriter } from '../src/db/client.ts';
import { writeActivityBatch } from '../src/db/activity.ts';
import { sqliteOnly } from './helpers/test-db.ts';

t.test('one connection, transactions in turn', { skip: sqliteOnly('the SQLite driver adapter') }, async (t) => {
  const db = await freshDb(t);
  const pragma = async (name: string) => Object.values((await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0] ?? {})[0];
  t.equal(Number(await pragma('synchronous')), 1, 'synchronous=NORMAL');
  t.equal(String(await pragma('journal_mode')), 'wal');
  t.equal(Number(await pragma('busy_timeout')), 0, 'busy_timeout=0: lock waits are asynchronous');
  t.equal(Number(await pragma('foreign_keys')), 1);

  const tenant = (id: string) => ({ id, domain: id, domainKey: id, name: id });
  await t.rejects(
    db.$transaction(async (tx) => {
      await tx.tenant.create({ data: tenant('rolled-back') });
      throw new Error('abort');
    }),
    /abort/,
  );
  t.equal(await db.tenant.count({ where: { id: 'rolled-back' } }), 0, 'rollback left nothing');
  await db.tenant.create({ data: tenant('after') });
  t.equal(await db.tenant.count({ where: { id: 'after' } }), 1, 'connection usable after a rollback');
  t.equal(Number(await pragma('synchronous')), 1, 'settings survive transactions (same connection)');

  // 40 concurrent transactions, each reading then writing: serialised by the adapter, none lost.
  await db.tenant.create({ data: { ...tenant('counter'), name: '0' } });
  await Promise.all(
    Array.from({ length: 40 }, () =>
      db.$transaction(async (tx) => {
        const cur = await tx.tenant.findUniqueOrThrow({ where: { id: 'counter' } });
        await tx.tenant.update({ where: { id: 'counter' }, data: { name: String(Number(cur.name) + 1) } });
      }),
    ),
  );
  t.equal((await db.tenant.findUniqueOrThrow({ where: { id: 'counter' } })).name, '40', 'no lost update');
});

t.test('activity batches: the driver path and the Prisma path write the same rows', { skip: sqliteOnly('the SQLite driver adapter') }, async (t) => {
  const db = await freshDb(t);
  const hour = new Date('2026-11-28T10:00:00.000Z');
  const row = (i: number, at: Date) => ({
    tenantId: 'tn', at, grantId: 'g1', clientId: 'c1', method: 'POST', operation: 'create', resourceType: 'User',
    resourceId: `u${i}`, status: i % 2 ? 201 : 409, outcome: (i % 2 ? 'success' : 'failure') as 'success' | 'failure',
    scimType: i % 2 ? null : 'uniqueness', detail: i % 2 ? null : `it's "taken" \\ 100%`, durationMs: i,
  });
  const batch = (from: number, n: number, at: Date) => ({
    rows: Array.from({ length: n }, (_, k) => row(from + k, at)),
    hourly: [{ tenantId: 'tn', hour, grantId: 'g1', requests: n, failures: 1, writes: n - 1 }],
    lastSeen: [{ tenantId: 'tn', grantId: 'g1', clientId: 'c1', at }],
  });
  await db.tenant.create({ data: { id: 'tn', domain: 'tn', domainKey: 'tn', name: 'tn' } });
  await db.connection.create({ data: { grantId: 'g1', tenantId: 'tn', clientId: 'c1' } });

  const t1 = new Date('2026-11-28T10:05:00.000Z');
  const t2 = new Date('2026-11-28T10:07:00.000Z');
  t.ok(directWriter(db), 'the connection is open: driver path');
  await writeActivityBatch(db, batch(0, 537, t2));
  // The Prisma path, as used where no driver connection is at hand.
  const noDirect = new Proxy(db, { get: (o, k) => Reflect.get(o, k) });
  await writeActivityBatch(noDirect, batch(537, 3, t1));
  t.equal(directWriter(noDirect), null, 'a client not made by createDb takes the Prisma path');

  t.equal(await db.activity.count(), 540, 'every row, across chunk sizes');
  const a = await db.activity.findFirstOrThrow({ where: { resourceId: 'u0' } });
  const b = await db.activity.findFirstOrThrow({ where: { resourceId: 'u538' } });
  t.same([a.at.toISOString(), a.detail, a.scimType, a.outcome], [t2.toISOString(), `it's "taken" \\ 100%`, 'uniqueness', 'failure']);
  t.same([b.at.toISOString(), b.status, b.durationMs], [t1.toISOString(), 409, 538]);
  t.equal((await db.activity.findMany({ orderBy: { at: 'desc' }, take: 1 }))[0].at.toISOString(), t2.toISOString(), 'both paths store sortable times');
  const h = await db.activityHourly.findMany();
  t.equal(h.length, 1, 'one counter row per bucket: the upsert matched across both paths');
  t.same([h[0].requests, h[0].failures, h[0].writes], [540, 2, 538]);
  const c = await db.connection.findUniqueOrThrow({ where: { grantId: 'g1' } });
  t.equal(c.lastScimAt?.toISOString(), t2.toISOString(), 'an older batch does not move lastScimAt back');
});

t.test('a side write waits for an open Prisma transaction and never lands inside it', { skip: sqliteOnly('the SQLite driver adapter') }, async (t) => {
  const db = await freshDb(t);
  await db.tenant.create({ data: { id: 'tn', domain: 'tn', domainKey: 'tn', name: 'tn' } });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let insideDone = false;
  const tx = db
    .$transaction(async (tx) => {
      await tx.tenant.create({ data: { id: 'doomed', domain: 'doomed', domainKey: 'doomed', name: 'doomed' } });
      await held;
      insideDone = true;
      throw new Error('roll back');
    })
    .catch((e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 50)); // the transaction is open now
  const at = new Date();
  const side = writeActivityBatch(db, {
    rows: [{ tenantId: 'tn', at, grantId: null, clientId: null, method: 'DELETE', operation: 'delete', resourceType: 'User', resourceId: 'u1', status: 204, outcome: 'success', scimType: null, detail: null, durationMs: 1 }],
    hourly: [],
    lastSeen: [],
  }).then(() => insideDone);
  await new Promise((r) => setTimeout(r, 100));
  release();
  t.equal(await tx, 'roll back');
  t.equal(await side, true, 'the side write ran only after the transaction ended');
  t.equal(await db.tenant.count({ where: { id: 'doomed' } }), 0, 'the rolled-back work is gone');
  t.equal(await db.activity.count({ where: { resourceId: 'u1' } }), 1, 'the side write is not');
});
