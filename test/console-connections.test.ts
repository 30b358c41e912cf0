// Connect Entra page, secret tokens in the console, one connection per Entra app, health, and the
// confirmation pages of Disconnect and Revoke token; over real HTTP on a fresh SQLite file.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { seedTenant, obtainTokens, authorizeOverHttp } from './helpers/oauth.ts';
import { consoleAs } from './helpers/console.ts';
import { connectionWorkIdle, sweepStaleConnections } from '../src/console/connection-tracking.ts';
import { connectionHealth } from '../src/console/health.ts';
import { listLiveConnections } from '../src/db/connections.ts';
import { runCli } from './helpers/cli.ts';

const PW = 'Correct-Horse-Battery-9';

const connectionList = (databaseUrl: string) => runCli({ DATABASE_URL: databaseUrl }, ['connection', 'list', 'acme']);
const HOUR = 3_600_000;

t.test('health from hourly counters', async (t) => {
  const now = Date.now();
  const h = (ago: number, requests: number, failures: number) => ({ hour: new Date(now - ago * HOUR), requests, failures });
  t.equal(connectionHealth([], null).level, 'waiting');
  t.equal(connectionHealth([], new Date(now - 30 * HOUR)).level, 'idle');
  t.equal(connectionHealth([h(3, 100, 2)], new Date()).level, 'ok');
  const risk = connectionHealth([h(5, 100, 0), h(1, 10, 6)], new Date());
  t.equal(risk.level, 'risk', 'the latest hour with traffic decides');
  t.match(risk.reason, /6 of 10 requests failed/);
  t.equal(connectionHealth([h(5, 10, 9), h(1, 50, 1)], new Date()).level, 'ok', 'recovered');
});

t.test('console connections', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', name: 'Acme', managers: [{ username: 'alice', password: PW }, { username: 'vic', password: PW, role: 'viewer' }] });
  const admin = await consoleAs(db, s.url, managers[0].id, tenant.id);
  const viewer = await consoleAs(db, s.url, managers[1].id, tenant.id);
  const scim = (token: string) => fetch(`${s.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });

  t.test('Connect Entra page: every way, with the values to paste', async (t) => {
    const res = await admin.jar.get('/console/connect');
    t.equal(res.status, 200);
    const html = await res.text();
    t.match(html, `${s.url}/scim/v2`, 'Tenant URL');
    t.match(html, `${s.url}/oauth/token`, 'token endpoint for client credentials');
    t.match(html, /Gallery app with Authorize/);
    t.match(html, /Non-gallery app with a secret token/);
    t.match(html, /API client \(OAuth client credentials\)/);
    t.match(html, /The supplied credentials are authorized to enable provisioning/);
    t.match(html, /Invalid credentials/);
    const v = await (await viewer.jar.get('/console/connect')).text();
    t.notMatch(v, 'action="/console/connect/tokens"', 'viewers see no create form');
    t.equal((await viewer.jar.post('/console/connect/tokens', { _csrf: viewer.csrf, name: 'x' })).status, 403);
  });

  t.test('secret token: created once, works, listed, revoked after confirmation', async (t) => {
    let res = await admin.jar.post('/console/connect/tokens', { _csrf: admin.csrf, name: 'Entra HR app', expiry: '365' });
    t.equal(res.status, 200);
    let html = await res.text();
    const m = /data-testid="secret-token">(slst_[A-Za-z0-9_-]+)</.exec(html);
    t.ok(m, 'value shown in the response');
    const value = m![1];
    t.equal(res.headers.get('cache-control'), 'no-store');
    t.equal((await scim(value)).status, 200, 'SCIM accepts it');
    html = await (await admin.jar.get('/console/connect')).text();
    t.notMatch(html, value, 'never shown again');
    t.match(html, `slst_…${value.slice(-4)}`);

    res = await admin.jar.post('/console/connect/tokens', { _csrf: admin.csrf, name: 'bad', expiry: '9999' });
    t.equal(res.status, 400);
    t.match(await res.text(), /1 to 730 days/);

    const overview = await (await admin.jar.get('/console')).text();
    t.match(overview, /Entra HR app<\/strong><br><span class="muted small">Secret token/, 'listed as a connection');

    const row = await db.scimSecretToken.findFirstOrThrow({ where: { tenantId: tenant.id } });
    res = await admin.jar.post(`/console/connect/tokens/${row.id}/revoke`, { _csrf: admin.csrf });
    t.equal(res.status, 200);
    html = await res.text();
    t.match(html, 'Secret token &#34;Entra HR app&#34;');
    t.match(html, /stops provisioning to acme/);
    t.equal((await scim(value)).status, 200, 'nothing revoked before confirmation');
    res = await admin.jar.post(`/console/connect/tokens/${row.id}/revoke`, { _csrf: admin.csrf, confirm: 'yes' });
    t.equal(res.status, 303);
    t.equal((await scim(value)).status, 401, 'revoked at once');
    t.equal((await admin.jar.post(`/console/connect/tokens/${row.id}/revoke`, { _csrf: admin.csrf, confirm: 'yes' })).status, 404);
    const audit = await db.auditEvent.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } });
    t.same(audit.map((a) => [a.event, a.actor, a.target]), [
      ['secret_token.created', 'alice', 'Entra HR app'],
      ['secret_token.revoked', 'alice', 'Entra HR app'],
    ]);
    t.notOk(JSON.stringify(audit).includes(value), 'no secret in the audit log');
  });

  t.test('one connection per Entra app; pending authorizations are not connections', async (t) => {
    const first = await obtainTokens(s, { domain: 'acme', username: 'alice', password: PW });
    await connectionWorkIdle();
    t.equal((await listLiveConnections(db, tenant.id)).length, 1);
    t.equal((await scim(first.access_token)).status, 200);

    const second = await obtainTokens(s, { domain: 'acme', username: 'alice', password: PW });
    await connectionWorkIdle();
    const live = await listLiveConnections(db, tenant.id);
    t.equal(live.length, 1, 'authorizing again replaces the connection');
    t.equal((await scim(first.access_token)).status, 401, "the replaced connection's token is revoked");
    t.equal((await scim(second.access_token)).status, 200);

    const html = await (await admin.jar.get('/console')).text();
    t.equal((html.match(/data-kind="authorize"/g) ?? []).length, 1, 'one Authorize row');
    const cli = await connectionList(s.config.databaseUrl);
    t.equal(cli.code, 0, cli.stderr);
    const lines = cli.stdout.trim().split('\n');
    t.equal(lines.length, 1, 'connection list: one line per live connection (the revoked secret token is gone)');
    t.match(lines[0], /^Authorize \(OAuth code\)\tMicrosoft Entra ID \(gallery app, Authorize\)\tauthorized by alice\tlast refresh never\tlast SCIM request \d{4}-\d{2}-\d{2} /);
    t.match(html, /Authorize \(OAuth code\)/);

    // Allowed but never exchanged: recorded as pending, not a connection.
    const pending = await authorizeOverHttp(s, { domain: 'acme', username: 'alice', password: PW });
    t.ok(pending.code);
    t.equal((await listLiveConnections(db, tenant.id)).length, 1, 'no second connection before the exchange');
    t.equal((await db.connection.count({ where: { tenantId: tenant.id, revokedAt: null } })), 2, 'the pending row exists');

    // The sweep revokes rows older than the code lifetime whose grant has no usable token.
    const swept = await sweepStaleConnections({ config: s.config, db, oauth: s.app.oauth }, new Date(Date.now() + 2 * HOUR));
    t.equal(swept, 1, 'the pending authorization expires');
    t.equal((await listLiveConnections(db, tenant.id)).length, 1, 'the live one stays');
    t.equal((await db.connection.count({ where: { tenantId: tenant.id, revokedAt: null } })), 1);

    // Disconnect asks first, then revokes.
    const grantId = live[0].grantId;
    let res = await admin.jar.post(`/console/connections/${grantId}/disconnect`, { _csrf: admin.csrf });
    t.equal(res.status, 200);
    t.match(await res.text(), /Entra will stop provisioning to acme until someone authorizes again/);
    t.equal((await scim(second.access_token)).status, 200);
    res = await admin.jar.post(`/console/connections/${grantId}/disconnect`, { _csrf: admin.csrf, confirm: 'yes' });
    t.equal(res.status, 303);
    t.equal((await scim(second.access_token)).status, 401);
    t.equal((await listLiveConnections(db, tenant.id)).length, 0);
    t.equal(await db.auditEvent.count({ where: { tenantId: tenant.id, event: 'connection.disconnected' } }), 1);
  });
});
