// Two server processes on one database behave as one server: Entra's whole cycle replayed with
// consecutive requests alternating between them, an Authorize flow started on one and finished on
// the other, revocation / Disconnect / API-client deletion / tenant disable made on one and refused
// by the other within TOKEN_CACHE_MS, the sign-in limit holding for guesses spread over both, 32
// concurrent membership PATCHes over both losing nothing, and every SCIM request counted exactly
// once in the activity log after both shut down.
//
// Runs on a SQLite file (several processes on one file are legitimate: writes take the file's write
// lock) and, when TEST_DATABASE_URL names a PostgreSQL server, on a database of its own there.
import t from 'tap';
import { createDb, type Db } from '../src/db/client.ts';
import { loadConfig } from '../src/config.ts';
import { TEST_ENV } from './helpers/server.ts';
import { seedTenant, CookieJar, csrfOf, formActionOf, DEFAULT_REDIRECT } from './helpers/oauth.ts';
import { consoleAs, Jar } from './helpers/console.ts';
import { entraReplayContext, loadCases, runCase } from './helpers/entra-replay.ts';
import { userBody, groupBody, patchBody } from './helpers/scim.ts';
import { startInstances, on, type Instances } from './helpers/instances.ts';
import type { Spawned } from './helpers/spawned-server.ts';

const TOKEN_CACHE_MS = 400;
// The unfiltered-count cache keeps a tenant's total at most this long (src/db/paging.ts).
const COUNT_CACHE_MS = 1000;
const MAX_FAILURES_PER_USER = 5;
const PW = 'Correct-Horse-Battery-9';
const clientId = TEST_ENV.ENTRA_CLIENT_ID;
const clientSecret = TEST_ENV.ENTRA_CLIENT_SECRETS.split(',')[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough for every instance's cached view to have expired, with room for a busy machine. */
const pastTheBound = (ms: number) => sleep(ms + 300);

/** One authorization through the real pages, each hop sent to the instance `route` picks. */
async function authorizeAcross(
  route: (path: string) => Spawned,
  o: { domain: string; username: string; password: string },
): Promise<{ code?: string; status?: number; served: string[] }> {
  const jar = new CookieJar();
  const served: string[] = [];
  const send = (url: string, init?: RequestInit) => {
    const target = route(new URL(url).pathname);
    served.push(`${new URL(url).pathname.split('/').slice(0, 3).join('/')}@${target.port}`);
    return jar.fetch(on(target, url), init);
  };
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: DEFAULT_REDIRECT, state: 's' });
  let url = `http://balancer/oauth/authorize?${q}`;
  let res = await send(url);
  for (let hop = 0; hop < 20; hop++) {
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      const next = new URL(loc, url);
      if (next.href.startsWith(DEFAULT_REDIRECT)) return { code: next.searchParams.get('code') ?? undefined, served };
      url = next.href;
      res = await send(url);
      continue;
    }
    if (res.status !== 200) return { status: res.status, served };
    const html = await res.text();
    const action = new URL(formActionOf(html), url).href;
    const csrf = csrfOf(html);
    const step = action.slice(action.lastIndexOf('/') + 1);
    const form: Record<string, string> =
      step === 'domain' ? { _csrf: csrf, domain: o.domain } : step === 'login' ? { _csrf: csrf, username: o.username, password: o.password } : { _csrf: csrf, decision: 'allow' };
    url = action;
    res = await send(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    if (step === 'login' && res.status !== 303) return { status: res.status, served };
  }
  throw new Error('authorize flow did not finish');
}

async function tokenAt(s: Spawned, form: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${s.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, client_id: clientId, client_secret: clientSecret }).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

async function scimStatus(s: Spawned, token: string, path = '/Users?count=1'): Promise<number> {
  const res = await fetch(`${s.url}/scim/v2${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

t.test('two server processes on one database behave as one server', async (t) => {
  const inst: Instances = await startInstances(t, 2, {
    TOKEN_CACHE_MS: String(TOKEN_CACHE_MS),
    LOGIN_MAX_FAILURES_PER_USER: String(MAX_FAILURES_PER_USER),
    LOG_LEVEL: 'warn',
  });
  const [A, B] = inst.servers;
  // The test's own connection: seeding managers (a password the manager chose, so it may authorize
  // Entra) and reading the activity log at the end. A third process on the same database.
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: inst.databaseUrl, DATA_ENCRYPTION_KEY: inst.env.DATA_ENCRYPTION_KEY, PUBLIC_URL: inst.publicUrl });
  const db: Db = createDb(inst.databaseUrl);
  t.teardown(() => db.$disconnect());
  const server = { url: inst.publicUrl, config, app: { db } };
  const contoso = await seedTenant(server, { domain: 'contoso.example.test', managers: [{ username: 'admin', password: PW }, { username: 'victim', password: PW }] });
  const admin = { domain: 'contoso.example.test', username: 'admin', password: PW };
  // Authorize pages on B, the protocol endpoints (authorize, resume, token) on A.
  const split = (p: string) => (p.startsWith('/interaction/') ? B : A);
  const codeAcross = async () => {
    const r = await authorizeAcross(split, admin);
    if (!r.code) throw new Error(`no code: ${r.status} ${r.served.join(' ')}`);
    return r.code;
  };

  await t.test('an Authorize flow started on one instance finishes on the other', async (t) => {
    const r = await authorizeAcross(split, admin);
    t.ok(r.code, 'code delivered to the redirect URI');
    t.ok(r.served.some((s) => s.startsWith('/interaction/') && s.endsWith(`@${B.port}`)), 'domain, sign-in and consent pages served by B');
    t.ok(r.served.some((s) => s.startsWith('/oauth/authorize') && s.endsWith(`@${A.port}`)), 'authorization request and resume served by A');
    const tok = await tokenAt(A, { grant_type: 'authorization_code', code: r.code!, redirect_uri: DEFAULT_REDIRECT });
    t.equal(tok.status, 200, 'code redeemed on A');
    t.equal(await scimStatus(B, tok.json.access_token), 200, 'its access token works on B');
    const refreshed = await tokenAt(B, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token });
    t.equal(refreshed.status, 200, 'refresh token rotated on B');
    t.equal(await scimStatus(A, refreshed.json.access_token), 200, 'and the new access token works on A');
    const jwks = await Promise.all([A, B].map(async (s) => (await fetch(`${s.url}/oauth/jwks`)).json()));
    t.same(jwks[0], jwks[1], 'both publish the same signing keys');
  });

  await t.test('Entra cycle replayed with requests alternating between the instances', async (t) => {
    // The revoked token is made before the cycle: a code exchanged in the middle of it would
    // replace the cycle's own connection (one connection per Entra app and tenant).
    const revoked = await tokenAt(A, { grant_type: 'authorization_code', code: await codeAcross(), redirect_uri: DEFAULT_REDIRECT });
    const rv = await fetch(`${B.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: revoked.json.access_token, client_id: clientId, client_secret: clientSecret }).toString(),
    });
    t.equal(rv.status, 200, 'a token issued on A revoked on B');
    const ctx = entraReplayContext({ clientId, clientSecret, authCode: codeAcross, expiredAccessToken: revoked.json.access_token });
    const cases = loadCases();
    for (const [i, c] of cases.entries()) {
      const s = i % 2 === 0 ? A : B;
      let failures: string[];
      try {
        failures = (await runCase(c, ctx, { baseUrl: s.url, scimBase: `${s.url}/scim/v2` })).failures;
      } catch (err) {
        failures = [`harness error: ${(err as Error).message}`];
      }
      t.same(failures, [], `${c.id} on ${s === A ? 'A' : 'B'}: ${c.name}`);
    }
  });

  await t.test('the sign-in limit holds for guesses spread over both instances', async (t) => {
    const victim = { domain: admin.domain, username: 'victim', password: 'wrong-password-123' };
    // Twelve simultaneous wrong passwords, odd ones posted to A and even ones to B.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => authorizeAcross((p) => (p.endsWith('/login') ? (i % 2 ? A : B) : A), victim)),
    );
    const statuses = results.map((r) => r.status);
    t.equal(statuses.filter((s) => s === 401).length, MAX_FAILURES_PER_USER, 'exactly the limit checked and refused as wrong');
    t.equal(statuses.filter((s) => s === 429).length, 12 - MAX_FAILURES_PER_USER, 'the rest refused unchecked');
    for (const s of [A, B]) {
      const right = await authorizeAcross((p) => (p.endsWith('/login') ? s : A), { ...victim, password: PW });
      t.equal(right.status, 429, `the right password is paused on ${s === A ? 'A' : 'B'} too`);
    }
  });

  await t.test('a revocation on one instance is refused by the other within TOKEN_CACHE_MS', async (t) => {
    const tok = await tokenAt(A, { grant_type: 'authorization_code', code: await codeAcross(), redirect_uri: DEFAULT_REDIRECT });
    t.equal(await scimStatus(B, tok.json.access_token), 200, 'B has the token cached');
    const res = await fetch(`${A.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tok.json.access_token, client_id: clientId, client_secret: clientSecret }).toString(),
    });
    t.equal(res.status, 200, 'revoked on A');
    t.equal(await scimStatus(A, tok.json.access_token), 401, 'A refuses at once');
    await pastTheBound(TOKEN_CACHE_MS);
    t.equal(await scimStatus(B, tok.json.access_token), 401, 'B refuses within the bound');
  });

  // Console sessions live in the database: one minted here signs in on both instances.
  const managerId = contoso.managers[0].id;
  const consoleA = await consoleAs(db, A.url, managerId, contoso.tenant.id);
  const consoleB = new Jar(B.url);
  consoleB.cookies = consoleA.jar.cookies;

  await t.test('Disconnect in the console of one instance is refused by the other within the bound', async (t) => {
    const tok = await tokenAt(A, { grant_type: 'authorization_code', code: await codeAcross(), redirect_uri: DEFAULT_REDIRECT });
    t.equal(await scimStatus(B, tok.json.access_token), 200, 'B has the token cached');
    const conn = await db.connection.findFirst({ where: { tenantId: contoso.tenant.id, revokedAt: null, clientId }, orderBy: { authorizedAt: "desc" } });
    t.ok(conn?.grantId, 'the connection row exists');
    const res = await consoleA.jar.post(`/console/connections/${conn!.grantId}/disconnect`, { _csrf: consoleA.csrf, confirm: 'yes' });
    t.equal(res.status, 303, 'disconnected on A');
    await pastTheBound(TOKEN_CACHE_MS);
    t.equal(await scimStatus(B, tok.json.access_token), 401, 'B refuses within the bound');
    const again = await tokenAt(B, { grant_type: 'refresh_token', refresh_token: tok.json.refresh_token });
    t.equal(again.status, 400, 'and its refresh token is dead on B');
  });

  await t.test('an API client deleted on one instance is refused by the other within the bound', async (t) => {
    let res = await consoleB.post('/console/api-clients', { _csrf: consoleA.csrf, name: 'Entra provisioning' });
    t.equal(res.status, 200, 'created on B with the session minted for A');
    const html = await res.text();
    const apiClientId = /data-testid="client-id">([^<]+)</.exec(html)?.[1];
    const apiSecret = /data-testid="client-secret">([^<]+)</.exec(html)?.[1];
    const cc = await fetch(`${A.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: apiClientId!, client_secret: apiSecret! }).toString(),
    });
    t.equal(cc.status, 200, 'client credentials on A');
    const token = ((await cc.json()) as { access_token: string }).access_token;
    t.equal(await scimStatus(B, token), 200, 'B has the token cached');
    res = await consoleA.jar.post(`/console/api-clients/${apiClientId}/delete`, { _csrf: consoleA.csrf, confirm: 'yes' });
    t.equal(res.status, 303, 'deleted on A');
    await pastTheBound(TOKEN_CACHE_MS);
    t.equal(await scimStatus(B, token), 401, 'B refuses within the bound');
  });

  // The tenant whose SCIM traffic is counted: a secret token, every request through scim().
  await inst.cli(['tenant', 'create', 'fabrikam.example.test', '--name', 'Fabrikam']);
  const secret = (await inst.cli(['token', 'create', 'fabrikam.example.test', '--name', 'counted'])).split('\n').pop()!.trim();
  const fabrikamId = (await db.tenant.findFirstOrThrow({ where: { domain: 'fabrikam.example.test' } })).id;
  let sent = 0;
  let kept = 0; // changes and failures: one Activity row each
  const scim = async (s: Spawned, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    sent++;
    if (method !== 'GET' || res.status >= 400) kept++;
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  await t.test('uniqueness holds for simultaneous creates spread over both instances', async (t) => {
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => scim(i % 2 ? A : B, 'POST', '/Users', userBody(i % 2 ? 'race@fabrikam.test' : 'RACE@FABRIKAM.TEST'))));
    t.equal(rs.filter((r) => r.status === 201).length, 1, 'one 201');
    t.equal(rs.filter((r) => r.status === 409 && r.json.scimType === 'uniqueness').length, 7, 'seven 409 uniqueness');
    const gs = await Promise.all(Array.from({ length: 6 }, (_, i) => scim(i % 2 ? A : B, 'POST', '/Groups', groupBody('Racing'))));
    t.equal(gs.filter((r) => r.status === 201).length, 1, 'one group 201');
  });

  await t.test('32 concurrent membership PATCHes spread over both instances lose nothing', async (t) => {
    const g = (await scim(A, 'POST', '/Groups', groupBody('Busy'))).json.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 32; i++) ids.push((await scim(i % 2 ? A : B, 'POST', '/Users', userBody(`busy${i}@fabrikam.test`))).json.id as string);
    const rs = await Promise.all(ids.map((value, i) => scim(i % 2 ? A : B, 'PATCH', `/Groups/${g}`, patchBody({ op: 'Add', path: 'members', value: [{ value }] }))));
    t.same(rs.map((r) => r.status), ids.map(() => 204), 'every PATCH answered 204');
    const got = await scim(B, 'GET', `/Groups/${g}`);
    t.same((got.json.members as { value: string }[]).map((m) => m.value).sort(), [...ids].sort(), 'all 32 members present');
    t.equal(got.json.meta.version, 'W/"33"', 'one version bump per PATCH');
    const etagA = (await scim(A, 'GET', `/Groups/${g}`)).json.meta.version;
    t.equal(etagA, got.json.meta.version, 'both instances give the same ETag');
  });

  await t.test('the unfiltered count seen by one instance follows writes on the other within the bound', async (t) => {
    const before = (await scim(B, 'GET', '/Users?count=1')).json.totalResults as number;
    t.equal((await scim(A, 'POST', '/Users', userBody('late@fabrikam.test'))).status, 201);
    await pastTheBound(COUNT_CACHE_MS);
    t.equal((await scim(B, 'GET', '/Users?count=1')).json.totalResults, before + 1, 'B counts the user A created');
  });

  await t.test('a secret token revoked by the operator is refused by both instances within the bound', async (t) => {
    const token = (await inst.cli(['token', 'create', 'contoso.example.test', '--name', 'rotating'])).split('\n').pop()!.trim();
    for (const s of [A, B]) t.equal(await scimStatus(s, token), 200, 'cached');
    await inst.cli(['token', 'revoke', 'contoso.example.test', 'rotating']);
    await pastTheBound(TOKEN_CACHE_MS);
    for (const s of [A, B]) t.equal(await scimStatus(s, token), 401, `${s === A ? 'A' : 'B'} refuses`);
  });

  await t.test('tenant disable by the operator is refused by both instances within the bound', async (t) => {
    const tok = await tokenAt(A, { grant_type: 'authorization_code', code: await codeAcross(), redirect_uri: DEFAULT_REDIRECT });
    for (const s of [A, B]) t.equal(await scimStatus(s, tok.json.access_token), 200, 'cached');
    await inst.cli(['tenant', 'disable', 'contoso.example.test']);
    await pastTheBound(TOKEN_CACHE_MS);
    for (const s of [A, B]) t.equal(await scimStatus(s, tok.json.access_token), 401, `${s === A ? 'A' : 'B'} refuses`);
  });

  await t.test('every SCIM request counted once after both shut down (concurrent flushes, flush at exit)', async (t) => {
    // A last burst on both just before the signal: those requests are still in the buffers.
    await Promise.all(Array.from({ length: 20 }, (_, i) => scim(i % 2 ? A : B, i % 4 === 0 ? 'POST' : 'GET', i % 4 === 0 ? '/Users' : '/Users?count=1', i % 4 === 0 ? userBody(`burst${i}@fabrikam.test`) : undefined)));
    t.same(await inst.stop(), [0, 0], 'both exit cleanly on SIGTERM');
    const hourly = await db.activityHourly.aggregate({ where: { tenantId: fabrikamId }, _sum: { requests: true } });
    t.equal(hourly._sum.requests, sent, `hourly counters sum to the ${sent} requests sent`);
    t.equal(await db.activity.count({ where: { tenantId: fabrikamId } }), kept, `one activity row per change or failure (${kept})`);
  });
});
