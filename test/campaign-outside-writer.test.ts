// Outside-writer campaign: SCIM writers keep creating users on the real server process while
// other processes write the same SQLite file: the operator CLI (tenant create, manager create,
// token create) and a raw writer that commits in a loop and once holds the lock for 1.5 s. No 5xx
// other than 503, no stale read afterwards (the server sees what the others wrote), and the
// server keeps accepting writes.
import { spawn } from 'node:child_process';
import Database from 'libsql';
import path from 'node:path';
import t from 'tap';
import { NODE, ROOT, cli, serverEnv, spawnServer, tempDir, tenantToken, type Spawned } from './helpers/spawned-server.ts';
import { outsideWriter } from './helpers/outside-writer.ts';
import { sqliteOnly } from './helpers/test-db.ts';

const WRITERS = 8;

function integrity(file: string): string[] {
  const db = new Database(file) as unknown as { prepare(sql: string): { all(a: unknown[]): { integrity_check: string }[] }; close(): void };
  try {
    return db.prepare('PRAGMA integrity_check').all([]).map((r) => r.integrity_check);
  } catch (e) {
    return [`${(e as { code?: string }).code}: ${(e as Error).message}`];
  } finally {
    db.close();
  }
}
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function post(s: Spawned, token: string, userName: string): Promise<number> {
  const res = await fetch(`${s.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: [USER_URN], userName, active: true }),
  });
  await res.arrayBuffer();
  return res.status;
}

function managerCreate(dir: string, domain: string, username: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['src/cli.ts', 'manager', 'create', domain, username, '--password-stdin'], { cwd: ROOT, env: serverEnv(dir, 0), stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
    child.stdin.end('Correct-Horse-Battery-9');
  });
}

t.test('SCIM writes beside the CLI and a raw outside writer', { skip: sqliteOnly('other processes writing the same SQLite file') }, async (t) => {
  t.setTimeout(150_000);
  const dir = tempDir(t);
  const token = await tenantToken(dir, 'busy.example.test');
  // Eight writers as fast as they can go: the per-tenant rate limit (its own test) stays out of the figures.
  const s = await spawnServer(t, dir, { SCIM_RATE_LIMIT: 'off' });
  const file = path.join(dir, 'test.db');

  const statuses = new Map<number, number>();
  const acknowledged: string[] = [];
  let stop = false;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const userName = `w${w}-${i}@busy.example.test`;
      const status = await post(s, token, userName);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) acknowledged.push(userName);
    }
  });

  // The outside writers, one after another while the SCIM writers run.
  const cliResults: string[] = [];
  const churn = outsideWriter(file, ['churn', '30', 'raw']);
  for (let i = 0; i < 2; i++) {
    await cli(dir, ['tenant', 'create', `cli-${i}.example.test`, '--name', `CLI ${i}`]);
    cliResults.push(`tenant cli-${i}`);
  }
  t.comment(`integrity after CLI tenants: ${integrity(file)}`);
  t.equal(await managerCreate(dir, 'cli-0.example.test', 'alice'), 0, 'manager create succeeded beside the server');
  t.comment(`integrity after manager: ${integrity(file)}`);
  const holder = outsideWriter(file, ['hold', '1500', 'held']);
  await holder.printed('locked');
  t.equal(await holder.exited, 0);
  t.equal(await churn.exited, 0);
  t.comment(`integrity after raw: ${integrity(file)}`);
  // A tenant and its token written by the CLI now: the server must see them (no stale snapshot).
  const outsideToken = await tenantToken(dir, 'late.example.test');
  t.comment(`integrity after late token: ${integrity(file)}`);
  stop = true;
  await Promise.all(writers);

  const fresh = await fetch(`${s.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${outsideToken}` } });
  t.equal(fresh.status, 200, "the server reads the CLI's newest tenant and token");
  const list = await fetch(`${s.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  const total = ((await list.json()) as { totalResults: number }).totalResults;
  t.equal(total, acknowledged.length, 'every acknowledged user is visible, nothing unacknowledged was stored');
  t.equal(await post(s, token, 'after@busy.example.test'), 201, 'the server still accepts writes');
  t.same(integrity(file), ['ok'], 'PRAGMA integrity_check');
  const tenants = await cli(dir, ['tenant', 'list']);
  t.match(tenants, /cli-1\.example\.test/, 'the CLI sees its own writes');
  t.match(tenants, /busy\.example\.test/);

  const other5xx = [...statuses].filter(([code]) => code >= 500 && code !== 503).reduce((n, [, c]) => n + c, 0);
  const counts = [...statuses].sort(([a], [b]) => a - b).map(([code, n]) => `${code}: ${n}`).join(', ');
  t.comment(`outside-writer campaign: ${WRITERS} SCIM writers, ${[...statuses.values()].reduce((a, b) => a + b, 0)} writes (${counts}), outside: 30 raw commits + a 1.5 s lock + ${cliResults.length + 2} CLI tenant/manager/token writes, 5xx other than 503: ${other5xx}`);
  t.equal(other5xx, 0, 'no 5xx other than 503');
  t.same([...statuses.keys()].filter((c) => c !== 201 && c !== 503), [], 'every write is 201 or 503');
  t.ok(acknowledged.length > 0, `${acknowledged.length} SCIM writes acknowledged`);
});
