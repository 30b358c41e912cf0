// The SQLite adapter runs every Prisma transaction on one long-lived connection (src/db/
// sqlite-adapter.ts): settings stick, rollbacks leave nothing behind and do not poison the
// connection, and interleaved transactions from concurrent requests stay isolated.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';

t.test('one connection, transactions in turn', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-sqlite-'));
  const url = `file:${path.join(dir, 'db.sqlite')}`;
  await migrate(url);
  const db = createDb(url);
  t.teardown(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const pragma = async (name: string) => Object.values((await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0] ?? {})[0];
  t.equal(Number(await pragma('synchronous')), 1, 'synchronous=NORMAL');
  t.equal(String(await pragma('journal_mode')), 'wal');
  t.equal(Number(await pragma('busy_timeout')), 5000);
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
