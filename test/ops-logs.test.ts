// Operator logs of the real process: start-up says which database, which migrations it applied and
// the public URL; each request is one line (method, path without query, route, status, time, the
// id returned as X-Request-Id); LOG_FORMAT=pretty is for people.
import { test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnServer, tempDir } from './helpers/spawned-server.ts';
import { dirDatabase, onPostgres } from './helpers/test-db.ts';
import { redactPgUrl } from '../src/db/pg-url.ts';

type Line = Record<string, unknown>;

function jsonLines(stdout: string[]): Line[] {
  return stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
}

async function settle(s: { stdout: string[] }, id: string): Promise<void> {
  // The request line is written when the response has been sent: poll briefly for it.
  for (let i = 0; i < 100 && !s.stdout.some((l) => l.includes(id)); i++) await new Promise((r) => setTimeout(r, 50));
}

test('start-up names the database, migrations applied and public URL; one line per request, with the id the client got back', async (t) => {
  const dir = tempDir(t);
  const migrations = fs.readdirSync(path.join(import.meta.dirname, '..', 'prisma', onPostgres ? 'migrations-postgresql' : 'migrations'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const first = await spawnServer(t, dir);
  const db = jsonLines(first.stdout).find((l) => 'migrationsApplied' in l);
  t.ok(db, 'a start-up line about the database');
  t.equal(db?.database, onPostgres ? redactPgUrl(dirDatabase(dir).url) : `file:${path.join(dir, 'test.db')}`, 'the resolved database, without its password');
  t.same(db?.migrationsApplied, migrations, 'every migration, applied on a new database');
  const ready = jsonLines(first.stdout).find((l) => 'publicUrl' in l);
  t.equal(ready?.publicUrl, first.url, 'the public URL');

  const calls: { name: string; init?: RequestInit; path: string; status: number; route?: string }[] = [
    { name: 'health', path: '/healthz', status: 200, route: '/healthz' },
    { name: 'scim-unauth', path: '/scim/v2/Users?filter=userName%20eq%20%22secret-query%22', status: 401 },
    { name: 'oauth', path: '/oauth/token', status: 400, init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope' }, route: '/oauth/*' },
    { name: 'missing', path: '/nowhere', status: 404 },
  ];
  for (const c of calls) {
    const id = `ops-log-${c.name}`;
    const res = await fetch(`${first.url}${c.path}`, { ...c.init, headers: { ...(c.init?.headers as Record<string, string>), 'x-request-id': id } });
    await res.arrayBuffer();
    t.equal(res.status, c.status, `${c.name}: ${c.status}`);
    t.equal(res.headers.get('x-request-id'), id);
    await settle(first, id);
    const lines = jsonLines(first.stdout).filter((l) => l.reqId === id);
    t.equal(lines.length, 1, `${c.name}: exactly one log line`);
    const l = lines[0] ?? {};
    t.equal(l.method, (c.init?.method as string | undefined) ?? 'GET');
    t.equal(l.url, c.path.split('?')[0], 'the path, without its query string');
    t.equal(l.status, c.status);
    t.type(l.responseTime, 'number');
    if (c.route) t.equal(l.route, c.route, 'the route');
  }
  t.notOk(first.stdout.some((l) => l.includes('secret-query')), 'query strings are never logged');
  t.notOk(jsonLines(first.stdout).some((l) => l.msg === 'incoming request' || l.msg === 'request completed'), "no Fastify per-request lines");
  first.proc.kill('SIGTERM');
  await first.exited;

  const second = await spawnServer(t, dir);
  const again = jsonLines(second.stdout).find((l) => 'migrationsApplied' in l);
  t.same(again?.migrationsApplied, [], 'nothing to apply on restart');
  t.match(String(again?.msg), /up to date/);
  second.proc.kill('SIGTERM');
  await second.exited;
});

test('LOG_FORMAT=pretty prints readable lines', async (t) => {
  const dir = tempDir(t);
  const s = await spawnServer(t, dir, { LOG_FORMAT: 'pretty' });
  const res = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'pretty-1' } });
  await res.arrayBuffer();
  await settle(s, 'GET /healthz 200');
  t.notOk(s.stdout.some((l) => l.startsWith('{')), 'no JSON lines');
  t.ok(s.stdout.some((l) => /INFO.*GET \/healthz 200 [\d.]+ ms/.test(l)), 'the request line reads as a sentence');
  t.ok(s.stdout.some((l) => /database ready/.test(l)), 'start-up lines too');
  s.proc.kill('SIGTERM');
  t.equal((await s.exited).code, 0);
});
