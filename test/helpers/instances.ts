// Several real server processes on ONE database, as behind a load balancer: `node src/server.ts`
// per instance, each on its own loopback port, all with the same PUBLIC_URL (the issuer and every
// absolute link name the balancer, not an instance), the same data key and the same database.
//
// The database is a SQLite file in a temporary directory, or, when TEST_DATABASE_URL names a
// PostgreSQL database, a schema of its own there, dropped after the test.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testDatabase } from './test-db.ts';
import { freePort } from './server.ts';
import { NODE, ROOT, serverEnv, startProcess, tempDir, waitUntilServing, type Spawned } from './spawned-server.ts';

type Teardown = { teardown(fn: () => unknown): void };

export interface Instances {
  /** The database every instance uses (a `file:` or `postgresql:` URL). */
  databaseUrl: string;
  /** What a load balancer would be called: PUBLIC_URL of every instance (the first one's port). */
  publicUrl: string;
  servers: Spawned[];
  env: Record<string, string>;
  /** `node src/cli.ts …` on the same database, as an operator on another machine would run it. */
  cli(args: string[]): Promise<string>;
  /** SIGTERM to every instance at once; resolves with their exit codes. */
  stop(): Promise<(number | null)[]>;
}

/** The database for a multi-instance test: a schema of its own on TEST_DATABASE_URL's PostgreSQL
 * (dropped after the test), else a SQLite file in `dir`. */
export function sharedDatabaseUrl(t: Teardown, dir: string): string {
  const db = testDatabase(dir);
  t.teardown(() => db.drop());
  return db.url;
}

/**
 * `count` server processes on one database. The first one is started alone and migrates the
 * database; the others start once it serves (a rolling deploy starts them the same way).
 */
export async function startInstances(t: Teardown, count: number, extra: Record<string, string> = {}): Promise<Instances> {
  const dir = tempDir(t);
  const databaseUrl = sharedDatabaseUrl(t, dir);
  const ports: number[] = [];
  while (ports.length < count) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const publicUrl = `http://127.0.0.1:${ports[0]}`;
  // Sealed secrets (signing keys, cookie keys) must open on every instance: one key for all.
  const dataKey = crypto.randomBytes(32).toString('base64url');
  const base = { DATABASE_URL: databaseUrl, PUBLIC_URL: publicUrl, DATA_ENCRYPTION_KEY: dataKey, ...extra };
  const servers: Spawned[] = [];
  for (const port of ports) {
    const env = serverEnv(dir, port, base);
    const s = startProcess(t, { command: NODE, args: ['src/server.ts'], env, port });
    await waitUntilServing(s);
    servers.push(s);
  }
  const env = serverEnv(dir, 0, base);
  return {
    databaseUrl,
    publicUrl,
    servers,
    env,
    async cli(args) {
      return (await promisify(execFile)(NODE, ['src/cli.ts', ...args], { cwd: ROOT, env })).stdout.trim();
    },
    async stop() {
      for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
      return Promise.all(servers.map(async (s) => (await s.exited).code));
    },
  };
}

/** The same request path on another instance: what a balancer does with every request. */
export function on(s: Spawned, url: string): string {
  const u = new URL(url);
  return `${s.url}${u.pathname}${u.search}`;
}
