// Activity recording end to end: real SCIM requests with a real Entra token; after the recorder's
// flush (about a second) the log holds every change and every failure, reads only count, the
// connection's lastScimAt moves, and the console shows it — to its own tenant only.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { obtainTokens, seedTenant } from './helpers/oauth.ts';
import { scimClient } from './helpers/scim.ts';
import { consoleAs } from './helpers/console.ts';

const PW = 'Admin-Pass-2026!';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

t.test('SCIM requests land in the activity log', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', managers: [{ username: 'alice', password: PW }] });
  const other = await seedTenant(s, { domain: 'globex', managers: [{ username: 'bob', password: PW }] });
  const tokens = await obtainTokens(s, { domain: 'acme', username: 'alice', password: PW });
  const scim = scimClient(s, tokens.access_token);

  const created = await scim.req('POST', '/Users', { schemas: [USER], userName: 'jane@acme.test', active: true });
  t.equal(created.status, 201);
  const id = created.json.id as string;
  t.equal((await scim.req('GET', `/Users?filter=${encodeURIComponent('userName eq "jane@acme.test"')}`)).status, 200);
  t.equal((await scim.req('GET', `/Users/${id}`)).status, 200);
  t.equal((await scim.req('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })).status, 200);
  t.equal((await scim.req('PUT', `/Users/${id}`, { schemas: [USER], userName: 'jane@acme.test', active: true, displayName: 'Jane' })).status, 200);
  t.equal((await scim.req('POST', '/Users', { schemas: [USER], userName: 'JANE@acme.test' })).status, 409);
  t.equal((await scim.req('GET', '/Users/00000000-0000-0000-0000-000000000000')).status, 404);
  t.equal((await scim.req('DELETE', `/Users/${id}`)).status, 204);

  const rows = await until(
    () => db.activity.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } }),
    (r) => r.length >= 6,
  );
  t.same(
    rows.map((r) => [r.method, r.operation, r.resourceType, r.status, r.outcome]),
    [
      ['POST', 'create', 'User', 201, 'success'],
      ['PATCH', 'update', 'User', 200, 'success'],
      ['PUT', 'replace', 'User', 200, 'success'],
      ['POST', 'create', 'User', 409, 'failure'],
      ['GET', 'read', 'User', 404, 'failure'],
      ['DELETE', 'delete', 'User', 204, 'success'],
    ],
    'writes and failures kept, successful reads not',
  );
  t.equal(rows[0].resourceId, id);
  t.equal(rows[3].scimType, 'uniqueness');
  t.ok(rows[3].detail, 'failure detail kept');
  t.ok(rows.every((r) => r.grantId && r.durationMs >= 0));

  const hourly = await db.activityHourly.findMany({ where: { tenantId: tenant.id } });
  t.equal(hourly.reduce((a, h) => a + h.requests, 0), 8, 'every request counted');
  t.equal(hourly.reduce((a, h) => a + h.failures, 0), 2);
  t.equal(hourly.reduce((a, h) => a + h.writes, 0), 5);
  const conn = await db.connection.findFirstOrThrow({ where: { tenantId: tenant.id } });
  t.ok(conn.lastScimAt, 'connection lastScimAt set');
  t.equal(await db.activity.count({ where: { tenantId: other.tenant.id } }), 0);

  const { jar } = await consoleAs(db, s.url, managers[0].id, tenant.id);
  const html = await (await jar.get('/console/activity?outcome=failure')).text();
  t.match(html, 'uniqueness');
  const overview = await (await jar.get('/console')).text();
  t.match(overview, /<td data-label="Requests \(24 h\)" class="num">8<\/td>\s*<td data-label="Failures \(24 h\)" class="num text-bad">2<\/td>/, 'overview 24 h counters');
  const bob = await consoleAs(db, s.url, other.managers[0].id, other.tenant.id);
  const bobHtml = await (await bob.jar.get('/console/activity')).text();
  t.match(bobHtml, 'No activity recorded yet', 'another tenant sees none of it');
});

t.test('ACTIVITY_RECORDING=off records nothing (the switch the benchmark measures with)', async (t) => {
  const s = await startServer(t, { ACTIVITY_RECORDING: 'off' });
  const db = s.app.db;
  const { tenant } = await seedTenant(s, { domain: 'quiet', managers: [{ username: 'alice', password: PW }] });
  const tokens = await obtainTokens(s, { domain: 'quiet', username: 'alice', password: PW });
  const scim = scimClient(s, tokens.access_token);
  t.equal((await scim.req('POST', '/Users', { schemas: [USER], userName: 'q@quiet.test' })).status, 201);
  t.equal((await scim.req('POST', '/Users', { schemas: [USER], userName: 'Q@quiet.test' })).status, 409);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(await db.activity.count({ where: { tenantId: tenant.id } }), 0);
  t.equal(await db.activityHourly.count({ where: { tenantId: tenant.id } }), 0);
});
