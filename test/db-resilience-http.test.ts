// Storage faults over real HTTP: SCIM and /oauth/token answer 503 with Retry-After (SCIM error
// body, RFC 6749 temporarily_unavailable) instead of 500, /readyz follows the storage and recovers
// by itself, /healthz keeps answering while another process holds the database lock.
import path from 'node:path';
import t from 'tap';
import { scimServer, userBody, ERROR_URN } from './helpers/scim.ts';
import { TEST_ENV } from './helpers/server.ts';
import { outsideWriter } from './helpers/outside-writer.ts';
import { consoleAs, seedManager } from './helpers/console.ts';
import { sqliteOnly } from './helpers/test-db.ts';

async function readyz(url: string): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

t.test('lock beyond the bound, read-only database: 503 + Retry-After, readiness follows, recovery', { skip: sqliteOnly('an outside process locking the SQLite file, a read-only file (db-postgres.test.ts covers PostgreSQL)') }, async (t) => {
  const { server, a } = await scimServer(t, { DB_BUSY_WAIT_MS: '300' });
  const file = path.join(server.dir, 'test.db');
  t.equal((await a.scim.req('POST', '/Users', userBody('first@example.test'))).status, 201);

  const holder = outsideWriter(file, ['hold', '2000', 'outside-tenant']);
  await holder.printed('locked');
  const busy = await a.scim.req('POST', '/Users', userBody('during-lock@example.test'));
  t.equal(busy.status, 503, 'a write that cannot get the lock in time: 503');
  t.equal(busy.headers.get('retry-after'), '2');
  t.match(busy.headers.get('content-type'), /^application\/scim\+json/);
  t.same(busy.json.schemas, [ERROR_URN]);
  t.equal(busy.json.status, '503');
  const notReady = await readyz(server.url);
  t.equal(notReady.status, 503, '/readyz: not ready while the lock is held');
  t.equal(notReady.body.database, 'busy');
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, '/healthz: the process is fine');
  t.equal(await holder.exited, 0);
  t.equal((await a.scim.req('POST', '/Users', userBody('after-lock@example.test'))).status, 201, 'writes work again after release');
  t.equal((await readyz(server.url)).status, 200, 'ready again');
  const list = await a.scim.req('GET', '/Users?count=10');
  t.equal(list.json.totalResults, 2, 'the refused write left nothing');

  // Tests run as root, whom file modes do not stop: SQLite's query_only makes the connection read-only.
  const tenant = await server.app.db.tenant.findFirstOrThrow({ where: { domainKey: a.domain } });
  const manager = await seedManager(server.app.db, tenant.id, 'ops');
  const { jar } = await consoleAs(server.app.db, server.url, manager, tenant.id);
  t.equal((await jar.get('/console')).status, 200, 'console page while writable');
  await server.app.db.$executeRawUnsafe('PRAGMA query_only = 1');
  const ro = await a.scim.req('POST', '/Users', userBody('read-only@example.test'));
  t.equal(ro.status, 503, 'read-only database: 503');
  t.equal(ro.headers.get('retry-after'), '30');
  t.equal(ro.json.status, '503');
  const roReady = await readyz(server.url);
  t.equal(roReady.status, 503);
  t.equal(roReady.body.database, 'readonly');
  t.equal((await a.scim.req('GET', '/Users?count=1')).status, 200, 'reads still answer');
  const refresh = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: a.tokens.refresh_token!,
      client_id: TEST_ENV.ENTRA_CLIENT_ID,
      client_secret: TEST_ENV.ENTRA_CLIENT_SECRETS.split(',')[0]!,
    }).toString(),
  });
  t.equal(refresh.status, 503, '/oauth/token: a refresh that must write answers 503');
  t.ok(Number(refresh.headers.get('retry-after')) > 0, 'with Retry-After');
  t.equal(((await refresh.json()) as { error: string }).error, 'temporarily_unavailable');

  const page = await jar.get('/console');
  t.equal(page.status, 503, 'console: a request that must write answers a 503 page');
  t.ok(Number(page.headers.get('retry-after')) > 0, 'console: with Retry-After');
  t.match(await page.text(), /Try again in a minute/);
  const authorize = await fetch(
    `${server.url}/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: TEST_ENV.ENTRA_CLIENT_ID, redirect_uri: 'https://portal.azure.com/TokenAuthorize', state: 's' })}`,
    { redirect: 'manual' },
  );
  t.equal(authorize.status, 503, '/oauth/authorize: starting an interaction (a write) answers 503');
  t.equal(((await authorize.json()) as { error: string }).error, 'temporarily_unavailable');

  await server.app.db.$executeRawUnsafe('PRAGMA query_only = 0');
  t.equal((await a.scim.req('POST', '/Users', userBody('writable-again@example.test'))).status, 201);
  t.equal((await readyz(server.url)).status, 200, 'ready again without a restart');
});

t.test('health checks keep answering while a write waits for an outside lock', { skip: sqliteOnly('an outside process locking the SQLite file') }, async (t) => {
  const { server, a } = await scimServer(t);
  const file = path.join(server.dir, 'test.db');
  const holder = outsideWriter(file, ['hold', '3000', 'outside-tenant']);
  await holder.printed('locked');
  let waiting = true;
  const write = a.scim.req('POST', '/Users', userBody('waits@example.test')).finally(() => (waiting = false));
  let answers = 0;
  while (waiting) {
    const res = await fetch(`${server.url}/healthz`);
    await res.arrayBuffer();
    if (res.status === 200 && waiting) answers++;
    await new Promise((r) => setTimeout(r, 20));
  }
  const res = await write;
  t.equal(res.status, 201, 'the write completed after the lock was released');
  t.ok(answers >= 10, `${answers} /healthz answers while the write waited (SQLite's busy_timeout froze them all)`);
  t.equal(await holder.exited, 0);
});
