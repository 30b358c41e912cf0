// Real server for integration tests: a fresh database (a SQLite file, or a PostgreSQL schema of its
// own when TEST_DATABASE_URL is set: test-db.ts), real HTTP on a loopback port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config, type ConfigOverrides } from '../../src/config.ts';
import { buildApp } from '../../src/app.ts';
import { testDatabase } from './test-db.ts';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Cheap argon2 parameters: tests exercise the code path, not the cost. */
export const TEST_ENV = {
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  ARGON2_PARALLELISM: '1',
  ENTRA_CLIENT_ID: 'entra-test-client',
  ENTRA_CLIENT_SECRETS: 'current-secret-0123456789abcdef,previous-secret-0123456789abcdef',
  LOG_LEVEL: 'silent',
};

export async function startServer(
  t: { teardown(fn: () => unknown): void },
  env: Record<string, string> = {},
  overrides: ConfigOverrides = {},
): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-test-'));
  const port = await freePort();
  const database = env.DATABASE_URL ? null : testDatabase(dir);
  const config = loadConfig(
    { ...TEST_ENV, PORT: String(port), HOST: '127.0.0.1', ...(database ? { DATABASE_URL: database.url } : {}), ...env },
    overrides,
  );
  const app = await buildApp(config, { logger: config.logLevel !== 'silent' });
  await app.listen({ host: '127.0.0.1', port });
  const server: TestServer = {
    url: config.publicUrl,
    app,
    config,
    dir,
    async close() {
      await app.close();
      await database?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => server.close());
  return server;
}
