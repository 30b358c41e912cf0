// The recorder against a real migrated SQLite file: what is kept, hourly counters, lastScimAt,
// batching, flush/close draining, retention sweep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createActivityRecorder } from '../src/activity/recorder.ts';
import type { ActivityEntry } from '../src/activity/types.ts';
import { testDatabase } from './helpers/test-db.ts';

type Teardown = { teardown(fn: () => unknown): void };

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; }, level: 'silent', silent() {} } as never;

async function setup(t: Teardown, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activity-test-'));
  const database = testDatabase(dir, 'a.db');
  const url = database.url;
  await migrate(url);
  const db = createDb(url);
  const config = loadConfig({ DATABASE_URL: url, ...env });
  await db.tenant.create({ data: { id: 't1', domain: 'acme', domainKey: 'acme', name: 'Acme' } });
  await db.tenant.create({ data: { id: 't2', domain: 'globex', domainKey: 'globex', name: 'Globex' } });
  t.teardown(async () => {
    await db.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, config };
}


const base = (over: Partial<ActivityEntry>): ActivityEntry => ({
  tenantId: 't1',
  at: new Date('2026-11-28T10:15:00Z'),
  grantId: 'g1',
  clientId: 'entra',
  method: 'GET',
  operation: 'read',
  resourceType: 'User',
  resourceId: 'u1',
  status: 200,
  durationMs: 3.4,
  ...over,
});

t.test('keeps writes and failures, counts every request per hour and grant', async (t) => {
  const { db, config } = await setup(t);
  await db.connection.create({ data: { grantId: 'g1', tenantId: 't1', clientId: 'entra' } });
  const rec = createActivityRecorder({ db, config, log: silent }, { flushIntervalMs: 60_000, sweepIntervalMs: 0 });
  rec.record(base({ method: 'GET', operation: 'list', resourceId: null })); // read: counted only
  rec.record(base({ method: 'POST', operation: 'create', status: 201 }));
  rec.record(base({ method: 'PATCH', operation: 'update', status: 200 }));
  rec.record(base({ method: 'DELETE', operation: 'delete', status: 204 }));
  rec.record(base({ method: 'POST', operation: 'search', status: 200 })); // read via POST
  rec.record(base({ method: 'POST', operation: 'create', status: 409, scimType: 'uniqueness', detail: 'x'.repeat(5000) }));
  rec.record(base({ method: 'GET', operation: 'read', status: 404, at: new Date('2026-11-28T11:00:00Z') }));
  t.equal(await db.activity.count(), 0, 'nothing written before flush');
  await rec.flush();

  const rows = await db.activity.findMany({ orderBy: { id: 'asc' } });
  t.same(
    rows.map((r) => [r.operation, r.status, r.outcome]),
    [
      ['create', 201, 'success'],
      ['update', 200, 'success'],
      ['delete', 204, 'success'],
      ['create', 409, 'failure'],
      ['read', 404, 'failure'],
    ],
  );
  t.equal(rows[3].scimType, 'uniqueness');
  t.equal(rows[3].detail?.length, 1000, 'detail truncated');
  t.equal(rows[0].durationMs, 3);
  t.equal(rows[0].at.toISOString(), '2026-11-28T10:15:00.000Z', 'time round-trips through the raw INSERT');
  t.same([rows[0].grantId, rows[0].clientId, rows[0].resourceId, rows[0].scimType, rows[0].detail], ['g1', 'entra', 'u1', null, null]);
  const inWindow = await db.activity.count({ where: { at: { gte: new Date('2026-11-28T10:15:00Z'), lt: new Date('2026-11-28T10:16:00Z') } } });
  t.equal(inWindow, 4, 'date comparisons work on inserted rows');

  const hourly = await db.activityHourly.findMany({ orderBy: { hour: 'asc' } });
  t.same(
    hourly.map((h) => [h.hour.toISOString(), h.grantId, h.requests, h.failures, h.writes]),
    [
      ['2026-11-28T10:00:00.000Z', 'g1', 6, 1, 4],
      ['2026-11-28T11:00:00.000Z', 'g1', 1, 1, 0],
    ],
  );
  const conn = await db.connection.findUniqueOrThrow({ where: { grantId: 'g1' } });
  t.equal(conn.lastScimAt?.toISOString(), '2026-11-28T11:00:00.000Z');

  // A second batch increments the same buckets and never moves lastScimAt backwards.
  rec.record(base({ method: 'PUT', operation: 'replace', at: new Date('2026-11-28T10:59:59Z') }));
  await rec.close();
  const h10 = await db.activityHourly.findFirstOrThrow({ where: { hour: new Date('2026-11-28T10:00:00Z') } });
  t.equal(h10.requests, 7);
  t.equal(h10.writes, 5);
  const conn2 = await db.connection.findUniqueOrThrow({ where: { grantId: 'g1' } });
  t.equal(conn2.lastScimAt?.toISOString(), '2026-11-28T11:00:00.000Z');
  rec.record(base({ method: 'POST', operation: 'create' }));
  await rec.flush();
  t.equal(await db.activity.count(), 6, 'record after close is ignored');
});

t.test('client-credentials requests (no grant) update their connection by client id', async (t) => {
  const { db, config } = await setup(t);
  await db.connection.create({ data: { grantId: 'cc-1', tenantId: 't1', clientId: 'api-1' } });
  await db.connection.create({ data: { grantId: 'cc-2', tenantId: 't2', clientId: 'api-1' } });
  const rec = createActivityRecorder({ db, config, log: silent }, { sweepIntervalMs: 0 });
  rec.record(base({ grantId: null, clientId: 'api-1' }));
  await rec.close();
  const [a, b] = await Promise.all([
    db.connection.findUniqueOrThrow({ where: { grantId: 'cc-1' } }),
    db.connection.findUniqueOrThrow({ where: { grantId: 'cc-2' } }),
  ]);
  t.ok(a.lastScimAt, 'own tenant connection updated');
  t.equal(b.lastScimAt, null, 'other tenant untouched');
  const h = await db.activityHourly.findFirstOrThrow();
  t.equal(h.grantId, 'client:api-1', 'counted under the client');
});

t.test('a full buffer flushes without waiting for the timer', async (t) => {
  const { db, config } = await setup(t);
  const rec = createActivityRecorder({ db, config, log: silent }, { flushIntervalMs: 60_000, maxBatch: 10, sweepIntervalMs: 0 });
  t.teardown(() => rec.close());
  for (let i = 0; i < 25; i++) rec.record(base({ method: 'POST', operation: 'create', resourceId: `u${i}` }));
  for (let i = 0; i < 50 && (await db.activity.count()) < 25; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(await db.activity.count(), 25);
});

t.test('the interval timer flushes on its own', async (t) => {
  const { db, config } = await setup(t);
  const rec = createActivityRecorder({ db, config, log: silent }, { flushIntervalMs: 50, sweepIntervalMs: 0 });
  t.teardown(() => rec.close());
  rec.record(base({ method: 'DELETE', operation: 'delete' }));
  for (let i = 0; i < 50 && (await db.activity.count()) < 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(await db.activity.count(), 1);
});

t.test('retention sweep deletes rows older than ACTIVITY_RETENTION_DAYS', async (t) => {
  const { db, config } = await setup(t, { ACTIVITY_RETENTION_DAYS: '30' });
  const rec = createActivityRecorder({ db, config, log: silent }, { sweepIntervalMs: 0 });
  const now = new Date('2026-11-28T12:00:00Z');
  const old = new Date(now.getTime() - 31 * 86_400_000);
  const edge = new Date(now.getTime() - 29 * 86_400_000);
  rec.record(base({ method: 'POST', operation: 'create', at: old }));
  rec.record(base({ method: 'POST', operation: 'create', at: edge, tenantId: 't2' }));
  await rec.flush();
  t.equal(await db.activity.count(), 2);
  t.equal(await db.activityHourly.count(), 2);
  const res = await rec.sweep(now);
  t.same(res, { activity: 1, hourly: 1 });
  const left = await db.activity.findMany();
  t.same(left.map((r) => r.tenantId), ['t2']);
  t.equal((await db.activityHourly.findFirstOrThrow()).tenantId, 't2');
  await rec.close();
});

t.test('a failing flush keeps the batch for the next one', async (t) => {
  const { db, config } = await setup(t);
  const rec = createActivityRecorder({ db, config, log: silent }, { flushIntervalMs: 60_000, sweepIntervalMs: 0 });
  rec.record(base({ method: 'POST', operation: 'create', tenantId: 'no-such-tenant' })); // FK violation
  await rec.flush();
  t.equal(rec.stats().pending, 1, 'kept after failure');
  await db.tenant.create({ data: { id: 'no-such-tenant', domain: 'late', domainKey: 'late', name: 'Late' } });
  await rec.flush();
  t.equal(rec.stats().pending, 0);
  t.equal(await db.activity.count(), 1);
  await rec.close();
});

t.test('the periodic sweep runs on its own timer', async (t) => {
  const { db, config } = await setup(t, { ACTIVITY_RETENTION_DAYS: '1' });
  const seed = createActivityRecorder({ db, config, log: silent }, { sweepIntervalMs: 0 });
  seed.record(base({ method: 'POST', operation: 'create', at: new Date(Date.now() - 3 * 86_400_000) }));
  seed.record(base({ method: 'POST', operation: 'create', at: new Date() }));
  await seed.close();
  t.equal(await db.activity.count(), 2);
  const rec = createActivityRecorder({ db, config, log: silent }, { sweepIntervalMs: 50 });
  try {
    for (let i = 0; i < 50 && (await db.activity.count()) > 1; i++) await new Promise((r) => setTimeout(r, 20));
    t.equal(await db.activity.count(), 1, 'old row swept, recent kept');
  } finally {
    // Before the database closes (teardown): on PostgreSQL a sweep transaction caught by the
    // pool's shutdown would hold $disconnect forever.
    await rec.close();
  }
});

t.test('close waits for a retention sweep already under way', async (t) => {
  const { db, config } = await setup(t);
  let sweepStarted = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // The same database, with the sweep's transaction held until the test releases it.
  const held = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== '$transaction') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<Db['$transaction']>) => {
        sweepStarted = true;
        await gate;
        return (target.$transaction as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    },
  }) as Db;
  const rec = createActivityRecorder({ db: held, config, log: silent }, { flushIntervalMs: 60_000, sweepIntervalMs: 20 });
  // The recorder's timers do not keep the process alive; this wait does.
  while (!sweepStarted) await new Promise((r) => setTimeout(r, 10));
  let closed = false;
  const closing = rec.close().then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  t.equal(closed, false, 'close is still waiting for the sweep');
  release();
  await closing;
  t.equal(closed, true, 'close returns once the sweep has finished');
});
