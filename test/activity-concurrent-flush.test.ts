// Two instances flush their activity buffers into one database at the same moment. Their hourly
// counters and last-seen times cover the same rows, collected in whatever order each instance saw
// its requests. The counters must add up exactly, and neither flush may fail: on PostgreSQL two
// transactions that lock the same rows in opposite orders deadlock and one of them is aborted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { writeActivityBatch, type HourlyDelta, type LastSeen } from '../src/db/activity.ts';
import { testDatabase } from './helpers/test-db.ts';

const HOUR = new Date('2026-11-29T10:00:00Z');
const GRANTS = Array.from({ length: 60 }, (_, i) => `grant-${String(i).padStart(2, '0')}`);
const ROUNDS = 8;

t.test('concurrent flushes of the same counters in opposite orders add up and never fail', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-flush-'));
  const database = testDatabase(dir);
  await migrate(database.url);
  // One client per instance: separate connections (pools) on one database.
  const a = createDb(database.url);
  const b = createDb(database.url);
  t.teardown(async () => {
    await a.$disconnect();
    await b.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await a.tenant.create({ data: { id: 't1', domain: 'acme', domainKey: 'acme', name: 'Acme' } });
  for (const grantId of GRANTS) await a.connection.create({ data: { grantId, tenantId: 't1', clientId: 'entra' } });

  const hourly = (grants: string[]): HourlyDelta[] => grants.map((grantId) => ({ tenantId: 't1', hour: HOUR, grantId, requests: 1, failures: 0, writes: 1 }));
  const seen = (grants: string[], at: Date): LastSeen[] => grants.map((grantId) => ({ tenantId: 't1', grantId, clientId: null, at }));
  const reversed = [...GRANTS].reverse();

  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const at = new Date(HOUR.getTime() + round * 1000);
    const results = await Promise.allSettled([
      writeActivityBatch(a, { rows: [], hourly: hourly(GRANTS), lastSeen: seen(GRANTS, at) }),
      writeActivityBatch(b, { rows: [], hourly: hourly(reversed), lastSeen: seen(reversed, at) }),
    ]);
    for (const r of results) if (r.status === 'rejected') failures.push(String((r.reason as Error).message).slice(0, 200));
  }
  t.same(failures, [], 'no flush failed');
  const rows = await a.activityHourly.findMany({ where: { tenantId: 't1' }, select: { grantId: true, requests: true, writes: true } });
  t.equal(rows.length, GRANTS.length, 'one counter row per connection and hour');
  t.ok(rows.every((r) => r.requests === 2 * ROUNDS && r.writes === 2 * ROUNDS), `every counter is exactly ${2 * ROUNDS}`);
  const last = await a.connection.findMany({ select: { lastScimAt: true } });
  t.ok(last.every((c) => c.lastScimAt?.getTime() === HOUR.getTime() + (ROUNDS - 1) * 1000), 'last-seen is the latest time written');
});
