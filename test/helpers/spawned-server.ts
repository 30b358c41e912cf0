// The real process, for what only a process shows: signals, exit codes, stderr, start-up logs.
// `npm start` or `node src/server.ts` with Node 24, on a loopback port and a temporary database
// (a SQLite file in the test's directory, or a PostgreSQL schema of its own: test-db.ts).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, TEST_ENV } from './server.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDb } from '../../src/db/client.ts';
import { createTenant } from '../../src/db/tenants.ts';
import { createSecretToken } from '../../src/db/secret-tokens.ts';
import { dirDatabase } from './test-db.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

export interface Spawned {
  proc: ChildProcess;
  url: string;
  port: number;
  stdout: string[]; // lines so far
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line matching `re` (past or future); rejects after `ms`. */
  waitForLine(re: RegExp, ms?: number): Promise<string>;
}

export function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-proc-'));
  t.teardown(async () => {
    await dirDatabase(dir).drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Environment of a spawned server: the test settings, a database in `dir`, nothing from .env. */
export function serverEnv(dir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...TEST_ENV, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: dirDatabase(dir).url, ...extra };
}

export function startProcess(
  t: { teardown(fn: () => unknown): void },
  opts: { command: string; args: string[]; env: Record<string, string>; cwd?: string; port: number },
): Spawned {
  const proc = spawn(opts.command, opts.args, { cwd: opts.cwd ?? ROOT, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { re: RegExp; resolve(line: string): void }[] = [];
  const collect = (into: string[], notify: boolean) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        into.push(line);
        if (!notify) continue;
        for (const w of [...waiters]) {
          if (w.re.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    };
  };
  proc.stdout!.on('data', collect(stdout, true));
  proc.stderr!.on('data', collect(stderr, false));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return {
    proc,
    port: opts.port,
    url: `http://127.0.0.1:${opts.port}`,
    stdout,
    stderr,
    exited,
    waitForLine(re, ms = 60_000) {
      const seen = stdout.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms; stdout: ${stdout.slice(-5).join('\n')} stderr: ${stderr.slice(-5).join('\n')}`)), ms);
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

/** Polls /healthz until it answers 200 (or the process exits, or 60 s pass). */
export async function waitUntilServing(s: Spawned): Promise<void> {
  let exited = false;
  void s.exited.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${s.url}/healthz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${s.stderr.join('\n')} ${s.stdout.slice(-5).join('\n')}`);
}

/** `node src/server.ts` on a free port; resolves once it serves. */
export async function spawnServer(
  t: { teardown(fn: () => unknown): void },
  dir: string,
  extra: Record<string, string> = {},
): Promise<Spawned> {
  const port = await freePort();
  const s = startProcess(t, { command: NODE, args: ['src/server.ts'], env: serverEnv(dir, port, extra), port });
  await waitUntilServing(s);
  return s;
}

/** `node src/cli.ts …` against the database in `dir`; resolves with stdout. */
export async function cli(dir: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(NODE, ['src/cli.ts', ...args], { cwd: ROOT, env: serverEnv(dir, 0) });
  return stdout.trim();
}

/** A tenant and a long-lived SCIM secret token for it, written to the database in `dir` by this
 * process before the server starts (two CLI runs would cost two more process start-ups). */
export async function tenantToken(dir: string, domain: string): Promise<string> {
  const url = dirDatabase(dir).url;
  await migrate(url);
  const db = createDb(url);
  try {
    const tenant = await createTenant(db, { domain, name: domain });
    const { value } = await createSecretToken(db, { tenantId: tenant.id, name: 'lifecycle-test', expiresInDays: null, createdBy: null });
    return value;
  } finally {
    await db.$disconnect();
  }
}

/** Whether a process id is still alive (signal 0 probes without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every descendant of `pid`, from /proc (children of children too). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}
