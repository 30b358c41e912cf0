// Another process writing the service's SQLite file, as the CLI, a backup tool or an operator's
// sqlite3 shell would: its own connection of the same driver, its own locks.
//
//   node test/helpers/outside-writer.ts <file> hold <ms> <tenant-id>
//       BEGIN IMMEDIATE, insert tenant <tenant-id>, print "locked", keep the write lock <ms>,
//       COMMIT, print "released".
//   node test/helpers/outside-writer.ts <file> churn <count> <id-prefix>
//       <count> short write transactions (one tenant each, waiting for the lock as SQLite's
//       busy_timeout does) after printing "started", then print "done <count>".
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';

interface Conn {
  exec(sql: string): unknown;
  prepare(sql: string): { run(args: unknown[]): unknown; all(args: unknown[]): unknown[] };
  close(): unknown;
}

function insertTenant(db: Conn, id: string): void {
  const now = new Date().toISOString().replace('Z', '+00:00');
  db.prepare('INSERT INTO "Tenant" ("id", "domain", "domainKey", "name", "enabled", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, 1, ?, ?)').run([id, id, id, id, now, now]);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function main(argv: string[]): void {
  const [file, command, arg, id] = argv;
  const db = new Database(file!) as unknown as Conn;
  db.prepare('PRAGMA busy_timeout = 10000').all([]);
  if (command === 'hold') {
    db.exec('BEGIN IMMEDIATE');
    insertTenant(db, id!);
    process.stdout.write('locked\n');
    sleepSync(Number(arg));
    db.exec('COMMIT');
    process.stdout.write('released\n');
  } else if (command === 'churn') {
    const count = Number(arg);
    process.stdout.write('started\n');
    for (let i = 0; i < count; i++) {
      db.exec('BEGIN IMMEDIATE');
      insertTenant(db, `${id}-${i}`);
      db.exec('COMMIT');
      sleepSync(2);
    }
    process.stdout.write(`done ${count}\n`);
  } else {
    throw new Error(`unknown command ${command}`);
  }
  db.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

export interface OutsideWriter {
  child: ChildProcess;
  /** Resolves when the child prints `line`. */
  printed(line: string): Promise<void>;
  exited: Promise<number>;
}

/** Starts an outside writer (see the header) as a child process on the same Node binary. */
export function outsideWriter(file: string, args: string[]): OutsideWriter {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) {
      if (out.split('\n').some((l) => l.startsWith(w.line))) w.resolve();
      else waiters.push(w);
    }
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    child,
    exited,
    printed(line) {
      if (out.split('\n').some((l) => l.startsWith(line))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ line, resolve });
        void exited.then((code) => reject(new Error(`outside writer exited (${code}) before printing "${line}"`)));
      });
    },
  };
}
