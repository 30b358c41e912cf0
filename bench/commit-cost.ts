// node bench/commit-cost.ts [dir]
// What a transaction's own BEGIN/COMMIT costs on this machine's disk, in-process on the `libsql`
// driver (no Prisma): N single-row transactions against the same rows in groups of 16 under one
// transaction with a SAVEPOINT each (what a group commit would run), for synchronous=NORMAL and
// FULL in WAL mode, and with the list-position counter trigger. Microseconds per row, median of 5 rounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';

interface Conn {
  exec(sql: string): unknown;
  prepare(sql: string): { run(args: unknown[]): unknown; all(args: unknown[]): unknown };
  close(): unknown;
}
const dir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'commit-cost-'));
const N = 2000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(sync: string, group: number, trigger = false): number {
  const file = path.join(dir, `c-${sync}-${group}-${trigger}.db`);
  const db = new Database(file) as unknown as Conn;
  // journal_mode answers with a row, which exec() refuses.
  db.prepare('PRAGMA journal_mode=WAL').all([]);
  db.exec(`PRAGMA synchronous=${sync}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, tenant TEXT, v TEXT)');
  db.exec('CREATE INDEX ti ON t (tenant, v)');
  if (trigger) {
    // The list-position counter of migration 20261129620000_list_positions, on this table.
    db.exec('CREATE TABLE c (tenant TEXT, r TEXT, s INTEGER, n BIGINT NOT NULL, PRIMARY KEY (tenant, r, s))');
    db.exec(`CREATE TRIGGER tc AFTER INSERT ON t BEGIN INSERT INTO c VALUES (NEW.tenant, 'User', 0, 1) ON CONFLICT (tenant, r, s) DO UPDATE SET n = n + 1; END`);
  }
  const ins = db.prepare('INSERT INTO t (tenant, v) VALUES (?, ?)');
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i += group) {
      db.exec('BEGIN IMMEDIATE');
      for (let k = 0; k < group; k++) {
        if (group > 1) db.exec('SAVEPOINT s');
        ins.run(['tenant-1', `value ${r} ${i + k} ${'x'.repeat(200)}`]);
        if (group > 1) db.exec('RELEASE s');
      }
      db.exec('COMMIT');
    }
    rounds.push(((performance.now() - t0) * 1000) / N);
  }
  db.close();
  return median(rounds);
}

console.log('| synchronous | one transaction per row µs | 16 rows per transaction, savepoint each µs |\n|---|---|---|');
for (const sync of ['NORMAL', 'FULL']) console.log(`| ${sync} | ${measure(sync, 1).toFixed(1)} | ${measure(sync, 16).toFixed(1)} |`);
console.log(`| NORMAL, with the list-counter trigger | ${measure('NORMAL', 1, true).toFixed(1)} | ${measure('NORMAL', 16, true).toFixed(1)} |`);
fs.rmSync(dir, { recursive: true, force: true });
