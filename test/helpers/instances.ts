// Several real server processes on ONE database, as behind a load balancer: `node src/server.ts`
// per instance, each on its own loopback port, all with the same PUBLIC_URL (the issuer and every
// absolute link name the balancer, not an instance), the same data key and the same database.
//
// The database is a SQLite file in a temporary directory, or, when TEST_DATABASE_URL names a
// PostgreSQL server, a database of its own created on that server for this test and dropped after.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
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
  cli(args: string[], stdin?: string): Promise<string>;
  /** SIGTERM to every instance at once; resolves with their exit codes. */
  stop(): Promise<(number | null)[]>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/** A fresh database on the PostgreSQL server of `serverUrl`, dropped when the test ends. */
async function freshPostgresDatabase(t: Teardown, serverUrl: string): Promise<string> {
  const name = `sl_multi_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The database for a multi-instance test: PostgreSQL when TEST_DATABASE_URL says so, else SQLite. */
export async function sharedDatabaseUrl(t: Teardown, dir: string): Promise<string> {
  const pgUrl = process.env.TEST_DATABASE_URL;
  if (isPostgresUrl(pgUrl)) return freshPostgresDatabase(t, pgUrl);
  return `file:${path.join(dir, 'test.db')}`;
}

/**
 * `count` server processes on one database. The first one is started alone and migrates the
 * database; the others start once it serves (a rolling deploy starts them the same way).
 */
export async function startInstances(t: Teardown, count: number, extra: Record<string, string> = {}): Promise<Instances> {
  const dir = tempDir(t);
  const databaseUrl = await sharedDatabaseUrl(t, dir);
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
    async cli(args, stdin) {
      const run = promisify(execFile)(NODE, ['src/cli.ts', ...args], { cwd: ROOT, env });
      if (stdin !== undefined) {
        run.child.stdin!.end(stdin);
      }
      return (await run).stdout.trim();
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
