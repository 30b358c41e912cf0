// node bench/request-cost.ts [--n 400] [--rounds 5] [phase ...]
// Server CPU per SCIM request, in-process and sequential: the app on a fresh SQLite file (or
// BENCH_DATABASE_URL / TEST_DATABASE_URL's PostgreSQL), a token from the real Authorize flow, then
// each phase sends its Entra-shaped requests one at a time through Fastify's inject and divides the
// process's CPU time (user + system, process.cpuUsage) by the number of requests. CPU time, not wall
// time, because this machine is shared: other processes stretch wall time, they barely change how
// much CPU our own code burns per request. Median of the rounds. The cycle bench (bench/cycle.ts)
// gives throughput under concurrency; this one tells whether a change made a request cheaper.
import { randomUUID } from 'node:crypto';
import { startServer } from '../test/helpers/server.ts';
import { tenantWithToken, USER_URN, GROUP_URN, PATCH_URN } from '../test/helpers/scim.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(args.splice(i, 2)[1]);
};
const N = opt('n', 400);
const ROUNDS = opt('rounds', 5);
const ALL = ['lookup', 'create', 'patch', 'get', 'group-lookup', 'group-create', 'member-add', 'page', 'delete', 'group-delete'];
const wanted = args.length ? args : ALL;
for (const w of wanted) if (!ALL.includes(w)) throw new Error(`unknown phase ${w}; phases: ${ALL.join(' ')}`);

const teardowns: (() => unknown)[] = [];
const t = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
const env: Record<string, string> = { SCIM_RATE_LIMIT: 'off' };
const pgUrl = process.env.BENCH_DATABASE_URL;
if (pgUrl) env.DATABASE_URL = pgUrl;
const server = await startServer(t, env);
const tenant = await tenantWithToken(server, 'cost');
const auth = { authorization: `Bearer ${tenant.tokens.access_token}`, 'content-type': 'application/scim+json' };

async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, ok = [200, 201, 204]) {
  const r = await server.app.inject({ method, url: `/scim/v2${url}`, headers: auth, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  if (!ok.includes(r.statusCode)) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
  return r.body ? JSON.parse(r.body) : undefined;
}

let seq = 0;
const userBody = (i: number) => ({
  schemas: [USER_URN, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: randomUUID(),
  userName: `cost${i}@bench.example`,
  active: true,
  displayName: `User ${i}`,
  emails: [{ primary: true, type: 'work', value: `cost${i}@bench.example` }],
  name: { givenName: 'User', familyName: String(i) },
  meta: { resourceType: 'User' },
  roles: [],
});
async function newUsers(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; k < n; k++) ids.push((await send('POST', '/Users', userBody(seq++))).id);
  return ids;
}
async function newGroups(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; k < n; k++) ids.push((await send('POST', '/Groups', { schemas: [GROUP_URN], displayName: `Group ${seq++}`, externalId: randomUUID() })).id);
  return ids;
}

/** Each phase prepares what its requests need (outside the measurement) and returns them. */
const phases: Record<string, () => Promise<(() => Promise<unknown>)[]>> = {
  lookup: async () => {
    const first = seq;
    await newUsers(50);
    return Array.from({ length: N }, (_, i) => () => send('GET', `/Users?filter=${encodeURIComponent(`userName eq "cost${first + (i % 50)}@bench.example"`)}`));
  },
  create: async () => Array.from({ length: N }, () => () => send('POST', '/Users', userBody(seq++))),
  patch: async () => {
    const ids = await newUsers(50);
    return Array.from({ length: N }, (_, i) => () =>
      send('PATCH', `/Users/${ids[i % ids.length]}`, {
        schemas: [PATCH_URN],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `u${i}@new.example` },
          { op: 'Replace', path: 'name.familyName', value: `F${i}` },
          { op: 'Replace', path: 'active', value: i % 10 === 0 ? 'False' : 'True' },
        ],
      }),
    );
  },
  get: async () => {
    const [id] = await newUsers(1);
    return Array.from({ length: N }, () => () => send('GET', `/Users/${id}`));
  },
  'group-lookup': async () => Array.from({ length: N }, (_, i) => () => send('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Group x${i}"`)}`)),
  'group-create': async () => Array.from({ length: N }, () => () => send('POST', '/Groups', { schemas: [GROUP_URN], displayName: `Group ${seq++}`, externalId: randomUUID() })),
  'member-add': async () => {
    const users = await newUsers(200);
    const n = Math.max(4, Math.floor(N / 10));
    const groups = await newGroups(n);
    return groups.map((g, k) => () =>
      send('PATCH', `/Groups/${g}`, { schemas: [PATCH_URN], Operations: [{ op: 'Add', path: 'members', value: users.slice((k * 50) % 200, ((k * 50) % 200) + 50).map((value) => ({ value })) }] }),
    );
  },
  page: async () => {
    await newUsers(Math.max(0, 300 - seq));
    const n = Math.max(10, Math.floor(N / 10));
    return Array.from({ length: n }, (_, k) => () => send('GET', `/Users?startIndex=${(k % 3) * 100 + 1}&count=100`));
  },
  delete: async () => {
    const ids = await newUsers(N);
    return ids.map((id) => () => send('DELETE', `/Users/${id}`));
  },
  'group-delete': async () => {
    const ids = await newGroups(N);
    return ids.map((id) => () => send('DELETE', `/Groups/${id}`));
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| phase | requests per round | CPU µs/request (median of ${ROUNDS}) | rounds | wall µs/request |`);
console.log('|---|---|---|---|---|');
for (const name of wanted) {
  const cpu: number[] = [];
  const wall: number[] = [];
  let count = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const jobs = await phases[name]();
    count = jobs.length;
    // Let the previous round's deferred work (activity flush, sweeps) finish outside the window.
    await new Promise((res) => setTimeout(res, 1100));
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (const job of jobs) await job();
    const c = process.cpuUsage(c0);
    wall.push(((performance.now() - w0) * 1000) / jobs.length);
    cpu.push((c.user + c.system) / jobs.length);
  }
  console.log(`| ${name} | ${count} | ${median(cpu).toFixed(0)} | ${cpu.map((x) => x.toFixed(0)).join(' / ')} | ${median(wall).toFixed(0)} |`);
}
for (const fn of teardowns.reverse()) await fn();
