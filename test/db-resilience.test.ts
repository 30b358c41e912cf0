// The SQLite connection beside other processes and storage faults, on real files: an outside
// writer never wedges it or leaves it reading an old snapshot, lock waits do not stop the event
// loop, faults surface as StorageUnavailableError (busy/full/readonly) and in the health state,
// and the database file is owner-only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createDb, checkStorage, type Db } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { asStorageUnavailable, storageFault } from '../src/db/storage-errors.ts';
import { outsideWriter } from './helpers/outside-writer.ts';
import { sqliteOnly } from './helpers/test-db.ts';

async function fileDb(t: { teardown(fn: () => unknown): void }, busyWaitMs: number): Promise<{ db: Db; file: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-resilience-'));
  const file = path.join(dir, 'test.db');
  await migrate(`file:${file}`);
  const db = createDb(`file:${file}`, { busyWaitMs });
  t.teardown(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, file, dir };
}

const tenant = (id: string, name = id) => ({ id, domain: id, domainKey: id, name });

/** The storage fault `p` rejected with, or 'none'. */
async function faultOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    return asStorageUnavailable(e)?.reason ?? `not a storage fault: ${(e as Error).message}`;
  }
}

t.test('outside writers committing during read-then-write transactions: no wedge, no stale read', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db, file } = await fileDb(t, 5000);
  await db.tenant.create({ data: tenant('counter', '0') });
  const churn = outsideWriter(file, ['churn', '40', 'outside']);
  await churn.printed('started');
  let ours = 0;
  const failures: string[] = [];
  // Read-then-write transactions, four at a time, while the outside writer commits between them.
  for (let round = 0; round < 15; round++) {
    await Promise.all(
      Array.from({ length: 4 }, () =>
        db
          .$transaction(async (tx) => {
            const cur = await tx.tenant.findUniqueOrThrow({ where: { id: 'counter' } });
            await tx.tenant.update({ where: { id: 'counter' }, data: { name: String(Number(cur.name) + 1) } });
          })
          .then(() => ours++)
          .catch((e: Error) => failures.push(e.message)),
      ),
    );
  }
  t.equal(await churn.exited, 0, 'the outside writer finished');
  t.same(failures, [], 'no transaction failed (BEGIN IMMEDIATE: no SQLITE_BUSY_SNAPSHOT)');
  t.equal(ours, 60, 'all 60 of ours committed');
  t.equal(await db.tenant.count({ where: { id: { startsWith: 'outside-' } } }), 40, 'every outside row is visible: no stale snapshot');
  t.equal((await db.tenant.findUniqueOrThrow({ where: { id: 'counter' } })).name, String(ours), 'no lost update');
  await db.tenant.create({ data: tenant('after') });
  t.equal(await db.tenant.count({ where: { id: 'after' } }), 1, 'writes still work');
});

t.test('a lock held beyond the bound fails that write as busy, then everything recovers', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db, file } = await fileDb(t, 300);
  await db.tenant.create({ data: tenant('before') });
  const holder = outsideWriter(file, ['hold', '1500', 'held-row']);
  await holder.printed('locked');
  t.equal(await faultOf(db.tenant.create({ data: tenant('autocommit') })), 'busy', 'a single write: busy');
  t.equal(
    await faultOf(db.$transaction(async (tx) => tx.tenant.update({ where: { id: 'before' }, data: { name: 'x' } }))),
    'busy',
    'an interactive transaction: busy',
  );
  t.equal(await faultOf(db.$transaction([db.tenant.create({ data: tenant('batch') })])), 'busy', 'a batch transaction: busy');
  t.equal(await db.tenant.count(), 1, 'reads still answer while the lock is held');
  const during = await checkStorage(db, 50);
  t.equal(during.ok, false, 'not ready while writes fail');
  t.equal(during.reason, 'busy');
  t.equal(await holder.exited, 0);
  await db.tenant.create({ data: tenant('after') });
  t.same(
    (await db.tenant.findMany({ orderBy: { id: 'asc' } })).map((x) => x.id),
    ['after', 'before', 'held-row'],
    'the outside commit is visible, the failed writes left nothing, new writes work',
  );
  t.same(await checkStorage(db, 50), { ok: true }, 'ready again once a write succeeds');
});

t.test('waiting for a lock does not block the event loop', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db, file } = await fileDb(t, 5000);
  await db.tenant.count(); // the connection is open
  const holder = outsideWriter(file, ['hold', '1200', 'held-row']);
  await holder.printed('locked');
  let ticks = 0;
  let waiting = true;
  const write = db.tenant.create({ data: tenant('waited') }).finally(() => (waiting = false));
  // SQLite's own busy_timeout would sleep inside the call: no timer would fire until it returns.
  while (waiting) {
    await new Promise((r) => setTimeout(r, 10));
    if (waiting) ticks++;
  }
  await write;
  t.ok(ticks >= 10, `the event loop ran ${ticks} timers while the write waited for the lock`);
  t.equal(await holder.exited, 0);
  t.equal(await db.tenant.count({ where: { id: { in: ['waited', 'held-row'] } } }), 2, 'both writes landed');
});

t.test('read-only connection: writes fail as readonly, health says so, recovery by itself', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db } = await fileDb(t, 300);
  await db.tenant.create({ data: tenant('before') });
  // Tests run as root, whom file modes do not stop; query_only is SQLite's own read-only switch.
  await db.$executeRawUnsafe('PRAGMA query_only = 1');
  t.equal(await faultOf(db.tenant.create({ data: tenant('refused') })), 'readonly');
  t.equal(await faultOf(db.$transaction(async (tx) => tx.tenant.create({ data: tenant('refused-tx') }))), 'readonly');
  const down = await checkStorage(db, 50);
  t.equal(down.ok, false);
  t.equal(down.reason, 'readonly');
  t.equal(await db.tenant.count(), 1, 'reads still work');
  await db.$executeRawUnsafe('PRAGMA query_only = 0');
  t.equal((await checkStorage(db, 50)).ok, false, 'a passing probe alone does not clear a recent write failure');
  await db.tenant.create({ data: tenant('after') });
  t.same(await checkStorage(db, 50), { ok: true }, 'a successful write clears it');
});

t.test('full database: writes fail as full, the transaction is gone, nothing half-written', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db } = await fileDb(t, 300);
  await db.tenant.create({ data: tenant('before') });
  const pages = Number(((await db.$queryRawUnsafe<{ page_count: bigint }[]>('PRAGMA page_count'))[0]!).page_count);
  // max_page_count at the current size: SQLite answers SQLITE_FULL as a full disk would.
  await db.$queryRawUnsafe(`PRAGMA max_page_count = ${pages}`);
  const big = 'x'.repeat(64 * 1024);
  t.equal(await faultOf(db.tenant.create({ data: tenant('big', big) })), 'full', 'autocommit write');
  t.equal(
    await faultOf(
      db.$transaction(async (tx) => {
        await tx.tenant.update({ where: { id: 'before' }, data: { name: 'changed' } });
        await tx.tenant.create({ data: tenant('big2', big) });
      }),
    ),
    'full',
    'transaction',
  );
  t.equal((await db.tenant.findUniqueOrThrow({ where: { id: 'before' } })).name, 'before', 'the earlier statement of the failed transaction was rolled back');
  const down = await checkStorage(db, 50);
  t.equal(down.reason, 'full', 'readiness: full');
  await db.$queryRawUnsafe('PRAGMA max_page_count = 1073741823');
  await db.tenant.create({ data: tenant('big3', big) });
  t.same(await checkStorage(db, 50), { ok: true }, 'room again: ready');
  t.equal(await db.tenant.count(), 2);
});

t.test('the database file and its -wal/-shm are owner-only, also when they existed before', { skip: sqliteOnly('outside writers, file locks, file modes and SQLite result codes') }, async (t) => {
  const { db, file, dir } = await fileDb(t, 300);
  await db.tenant.create({ data: tenant('x') });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) t.equal(fs.statSync(f).mode & 0o777, 0o600, `${path.basename(f)} is 0600`);
  const old = path.join(dir, 'old.db');
  fs.copyFileSync(file, old);
  fs.chmodSync(old, 0o644);
  await migrate(`file:${old}`);
  t.equal(fs.statSync(old).mode & 0o777, 0o600, 'an existing 0644 database is tightened to 0600');
});

t.test('storage faults recognised in the shapes Prisma wraps them in', async (t) => {
  // Shapes as observed from Prisma 6.19 with the libsql adapter (a raw query that met
  // SQLITE_BUSY_SNAPSHOT, reported by the adapter as kind SocketTimeout) and from the driver.
  const prismaRaw = (originalCode: string, kind: string) => ({ code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, kind } } } });
  const cases: [string, unknown, string | null][] = [
    ['P2010 SQLITE_BUSY_SNAPSHOT (SocketTimeout kind)', prismaRaw('517', 'SocketTimeout'), 'busy'],
    ['P2010 SQLITE_BUSY', prismaRaw('5', 'SocketTimeout'), 'busy'],
    ['P2010 SQLITE_FULL', prismaRaw('13', 'sqlite'), 'full'],
    ['P2010 SQLITE_READONLY_DBMOVED', prismaRaw('1032', 'sqlite'), 'readonly'],
    ['P2010 SQLITE_IOERR_SHORT_READ', prismaRaw('522', 'sqlite'), 'io'],
    ['P2010 unique violation', prismaRaw('2067', 'UniqueConstraintViolation'), null],
    ['driver error', { code: 'SQLITE_LOCKED', rawCode: 6 }, 'busy'],
    ['driver error, name only', { code: 'SQLITE_CANTOPEN' }, 'io'],
    ['interactive transaction could not start in time', { code: 'P2028' }, 'busy'],
    ['a plain bug', new TypeError('x is undefined'), null],
    ['nested cause', new Error('outer', { cause: { rawCode: 13 } }), 'full'],
  ];
  for (const [what, err, want] of cases) t.equal(storageFault(err), want, what);
});

t.test('DB_BUSY_WAIT_MS=0: no wait for an outside lock, in-process transactions still run', async (t) => {
  const { db } = await fileDb(t, 0);
  await Promise.all(['a', 'b', 'c'].map((id) => db.$transaction(async (tx) => tx.tenant.create({ data: tenant(id) }))));
  t.equal(await db.tenant.count(), 3, 'Prisma accepts the transaction options and the writes land');
});
