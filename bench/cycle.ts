// npm run bench [-- --users N] [-- --scale 100000]
// Starts the server as a child process on a fresh SQLite file, seeds a tenant + manager with the
// CLI, obtains a real token through the Authorize flow over HTTP, then runs an Entra-like cycle with
// 16 concurrent clients and prints requests/s and p50/p95/p99 per phase plus the server's peak RSS.
// Scale mode seeds users straight into the database and measures a userName lookup and a page of
// 100 at 1k, 10k, 100k... users.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { authorizeCode } from '../test/helpers/entra-replay.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const USERS = opt('users', 2000);
const SCALE = opt('scale', 0);
const CONC = opt('concurrency', 16);
const PORT = 3900 + Math.floor(Math.random() * 90);
const BASE = `http://127.0.0.1:${PORT}`;
const SCIM = `${BASE}/scim/v2`;
const CLIENT_ID = 'bench-entra';
const SECRET = 'bench-secret-0123456789abcdef0123';
const DOMAIN = 'bench.example.test';
const PASSWORD = 'Bench-Password-123456';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-bench-'));
const env = {
  ...process.env,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  DATABASE_URL: `file:${path.join(dir, 'bench.db')}`,
  LOG_LEVEL: 'warn',
  ENTRA_CLIENT_ID: CLIENT_ID,
  ENTRA_CLIENT_SECRETS: SECRET,
};

function cli(...a: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli.ts'), ...a], { env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cli ${a.join(' ')} failed: ${r.stderr || r.stdout}`);
}

async function startServer(): Promise<ChildProcess> {
  // The server runs with the Node flags of `npm start` (heap bounds), plus BENCH_NODE_ARGS, e.g.
  // "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const startFlags = start.split(/\s+/).filter((a) => a.startsWith('--'));
  const nodeArgs = [...startFlags, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'src/server.ts')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

let TOKEN = '';
let SERVER_PID = 0;
async function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(SCIM + p, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

interface PhaseResult {
  name: string;
  requests: number;
  seconds: number;
  lat: number[];
  errors: number;
}

/** Runs `jobs` with CONC workers; each job returns the per-request latencies it measured. */
async function phase(name: string, jobs: (() => Promise<void>)[], conc = CONC): Promise<PhaseResult> {
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const timed = async (fn: () => Promise<void>) => {
    const s = performance.now();
    try {
      await fn();
    } catch (e) {
      errors++;
      if (errors < 4) console.error(`${name}: ${(e as Error).message}`);
    }
    lat.push(performance.now() - s);
  };
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < jobs.length) await timed(jobs[next++]);
    }),
  );
  const r = { name, requests: jobs.length, seconds: (performance.now() - t0) / 1000, lat, errors };
  report(r);
  return r;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const rows: string[] = [];
function report(r: PhaseResult) {
  const line = `| ${r.name} | ${r.requests} | ${(r.requests / r.seconds).toFixed(0)} | ${pct(r.lat, 50).toFixed(2)} | ${pct(r.lat, 95).toFixed(2)} | ${pct(r.lat, 99).toFixed(2)} | ${r.errors} | ${SERVER_PID ? peakRssMb(SERVER_PID) : ''} |`;
  rows.push(line);
  console.log(line);
}

function expect(r: { status: number; json: any }, ...ok: number[]) {
  if (!ok.includes(r.status)) throw new Error(`status ${r.status}: ${JSON.stringify(r.json)?.slice(0, 200)}`);
  return r;
}

async function obtainToken() {
  const redirectUri = 'https://portal.azure.com/TokenAuthorize';
  const code = await authorizeCode(BASE, { clientId: CLIENT_ID, redirectUri, domain: DOMAIN, username: 'admin', password: PASSWORD });
  const res = await fetch(`${BASE}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: CLIENT_ID, client_secret: SECRET }).toString(),
  });
  const j = (await res.json()) as { access_token?: string };
  if (!j.access_token) throw new Error(`token exchange failed: ${JSON.stringify(j)}`);
  TOKEN = j.access_token;
}

const userName = (i: number) => `user${i}@bench.example`;

async function cycle() {
  const ids: string[] = new Array(USERS);
  rows.push('| phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MB |', '|---|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  // Entra per user: GET by filter (no match) then POST.
  await phase('user lookup (miss) + create, per pair', Array.from({ length: USERS }, (_, i) => async () => {
    const q = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`);
    expect(q, 200);
    const c = expect(
      await call('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: randomUUID(),
        userName: userName(i),
        active: true,
        displayName: `User ${i}`,
        emails: [{ primary: true, type: 'work', value: userName(i) }],
        name: { givenName: 'User', familyName: String(i) },
        meta: { resourceType: 'User' },
        roles: [],
      }),
      201,
    );
    ids[i] = c.json.id;
  }));
  await phase('create only (POST /Users)', Array.from({ length: Math.min(USERS, 2000) }, (_, i) => async () => {
    expect(await call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `extra${i}@bench.example`, active: true }), 201);
  }));
  await phase('lookup by userName filter (hit)', Array.from({ length: USERS * 2 }, (_, i) => async () => {
    const r = expect(await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i % USERS)}"`)}`), 200);
    if (r.json.totalResults !== 1) throw new Error('lookup miss');
  }));
  await phase('PATCH user (Entra default dialect)', ids.map((id, i) => async () => {
    expect(await call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: `u${i}@new.example` },
        { op: 'Replace', path: 'name.familyName', value: `F${i}` },
        { op: 'Replace', path: 'active', value: i % 10 === 0 ? 'False' : 'True' },
      ],
    }), 200, 204);
  }));
  const G = Math.max(1, Math.ceil(USERS / 200));
  const gids: string[] = new Array(G);
  await phase('group lookup + create, per pair', Array.from({ length: G }, (_, g) => async () => {
    expect(await call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Group ${g}"`)}`), 200);
    gids[g] = expect(await call('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Group ${g}`, externalId: randomUUID() }), 201).json.id;
  }));
  const batches: (() => Promise<void>)[] = [];
  for (let i = 0; i < USERS; i += 50) {
    const g = gids[Math.floor(i / 200) % G];
    const members = ids.slice(i, i + 50).map((value) => ({ value }));
    batches.push(async () => {
      expect(await call('PATCH', `/Groups/${g}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Add', path: 'members', value: members }] }), 204, 200);
    });
  }
  await phase('member add, batches of 50', batches);
  const pages = Math.ceil(USERS / 100);
  await phase('list page of 100', Array.from({ length: Math.max(pages, 50) }, (_, k) => async () => {
    expect(await call('GET', `/Users?startIndex=${(k % pages) * 100 + 1}&count=100`), 200);
  }));
  await phase('DELETE user', ids.map((id) => async () => expect(await call('DELETE', `/Users/${id}`), 204) && undefined));
  await phase('DELETE group', gids.map((id) => async () => expect(await call('DELETE', `/Groups/${id}`), 204) && undefined));
}

async function scale(child: ChildProcess) {
  // Seeding goes straight to the database (createMany in chunks) through the same repository and
  // index functions as the service; the server is idle meanwhile.
  const { createDb } = await import('../src/db/client.ts');
  const { createUsersRepo } = await import('../src/db/scim-users.ts');
  const { toWrite } = await import('../src/scim/users-service.ts');
  const db = createDb(env.DATABASE_URL);
  const tenant = await db.tenant.findFirst({ where: { domainKey: DOMAIN }, select: { id: true } });
  if (!tenant) throw new Error('tenant not found');
  const repo = createUsersRepo(db);
  rows.push('| users | lookup p50 ms | lookup p99 ms | lookup req/s | page p50 ms | page p99 ms | page req/s |', '|---|---|---|---|---|---|---|');
  let have = 0;
  for (const target of [1000, 10000, 100000, 1000000].filter((n) => n <= SCALE)) {
    const t0 = performance.now();
    while (have < target) {
      const n = Math.min(2000, target - have);
      await repo.createMany(
        tenant.id,
        Array.from({ length: n }, (_, k) => {
          const i = have + k;
          return { id: randomUUID(), w: toWrite({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: userName(i), active: true, displayName: `User ${i}`, emails: [{ type: 'work', value: userName(i), primary: true }] }) };
        }),
      );
      have += n;
    }
    console.log(`seeded ${target} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const look = await phase(`lookup @${target}`, Array.from({ length: 3000 }, () => async () => {
      const i = Math.floor(Math.random() * target);
      const r = expect(await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`), 200);
      if (r.json.totalResults !== 1) throw new Error('miss');
    }));
    const page = await phase(`page of 100 @${target}`, Array.from({ length: 300 }, () => async () => {
      const start = Math.floor(Math.random() * (target - 100)) + 1;
      expect(await call('GET', `/Users?startIndex=${start}&count=100`), 200);
    }));
    rows.push(
      `| ${target} | ${pct(look.lat, 50).toFixed(2)} | ${pct(look.lat, 99).toFixed(2)} | ${(look.requests / look.seconds).toFixed(0)} | ${pct(page.lat, 50).toFixed(2)} | ${pct(page.lat, 99).toFixed(2)} | ${(page.requests / page.seconds).toFixed(0)} |`,
    );
  }
  await db.$disconnect();
  void child;
}

async function main() {
  cli('tenant', 'create', DOMAIN, '--name', 'Bench');
  cli('manager', 'create', DOMAIN, 'admin', '--password-stdin', '--role', 'admin');
  const child = await startServer();
  SERVER_PID = child.pid!;
  try {
    await obtainToken();
    if (SCALE) await scale(child);
    else await cycle();
    console.log(`\nserver peak RSS (VmHWM): ${peakRssMb(child.pid!)} MB`);
    console.log(`\n${rows.join('\n')}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
