// Readable activity: resources by name with one verb per row, user search and date range on the
// SCIM view, and charts per day (7 days) and per hour (24 h) whose totals the page explains.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { seedTenant } from './helpers/oauth.ts';
import { consoleAs } from './helpers/console.ts';
import { createSecretToken } from '../src/db/secret-tokens.ts';
import { fillDays, renderActivityChart } from '../src/console/chart.ts';
import { activityVerb } from '../src/console/activity-labels.ts';

const PW = 'Correct-Horse-Battery-9';

t.test('day buckets and chart labels', async (t) => {
  const end = new Date('2026-11-28T10:30:00Z');
  const rows = [
    { hour: new Date('2026-11-28T09:00:00Z'), requests: 10, failures: 2 },
    { hour: new Date('2026-11-28T01:00:00Z'), requests: 5, failures: 0 },
    { hour: new Date('2026-11-22T23:00:00Z'), requests: 3, failures: 3 },
    { hour: new Date('2026-11-21T23:00:00Z'), requests: 99, failures: 0 }, // outside the 7 days
  ];
  const days = fillDays(rows, end, 7);
  t.equal(days.length, 7);
  t.same(days[6], { hour: new Date('2026-11-28T00:00:00Z'), success: 13, failure: 2 });
  t.same(days[0], { hour: new Date('2026-11-22T00:00:00Z'), success: 0, failure: 3 });
  const svg = renderActivityChart(days, { title: 'per day', unit: 'day', id: 'd' });
  t.equal((svg.match(/<g><title>/g) ?? []).length, 2, 'one bar per day with traffic, not 168 slivers');
  t.match(svg, '2026-11-28: 13 succeeded, 2 failed');
  t.match(svg, 'aria-labelledby="d-title d-desc"');
  t.equal(activityVerb('update'), 'Updated');
  t.equal(activityVerb('create'), 'Created');
});

t.test('activity page: names, verbs, user search, dates, totals that say what they count', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', managers: [{ username: 'alice', password: PW }] });
  const { jar } = await consoleAs(db, s.url, managers[0].id, tenant.id);
  const tok = await createSecretToken(db, { tenantId: tenant.id, name: 'cycle', expiresInDays: null, createdBy: null });
  const scim = (method: string, path: string, body?: unknown) =>
    fetch(`${s.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${tok.value}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const user = (userName: string, displayName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName });
  const jane = (await (await scim('POST', '/Users', user('jane@acme.test', 'Jane Doe'))).json()) as { id: string };
  const bob = (await (await scim('POST', '/Users', user('bob@acme.test', 'Bob Roe'))).json()) as { id: string };
  await scim('PATCH', `/Users/${jane.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Jane Q. Doe' }] });
  await scim('GET', '/Users?filter=userName%20eq%20%22nobody%22');
  await scim('DELETE', `/Users/${bob.id}`);

  let html = await (await jar.get('/console/activity')).text();
  t.match(html, /User <strong>jane@acme\.test<\/strong>/, 'user by userName, not a UUID fragment');
  t.match(html, />Created</);
  t.match(html, />Updated</);
  t.notMatch(html, /update<\/span> <span class="muted mono">PATCH/, 'no "update PATCH"');
  t.match(html, /no longer exists, id <span class="mono">[0-9a-f]{8}/, 'a deleted user says so');
  t.match(html, /Successful reads are not listed/);

  html = await (await jar.get('/console/activity?user=JANE')).text();
  t.match(html, 'jane@acme.test');
  t.notMatch(html, />Deleted</, 'user search narrows to that user');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  html = await (await jar.get(`/console/activity?from=${tomorrow}`)).text();
  t.match(html, 'No activity matches these filters', 'date range');
  const csv = await (await jar.get('/console/activity.csv?user=jane')).text();
  t.equal(csv.trimEnd().split('\r\n').length, 3, 'CSV honours the same filters: header + create + update');

  const overview = await (await jar.get('/console')).text();
  t.match(overview, 'SCIM requests per day, last 7 days');
  t.match(overview, 'SCIM requests per hour, last 24 hours');
  t.match(overview, /Succeeded \(5\)/, 'all five requests, the read included');
  t.match(overview, /its count is smaller/, 'says why the activity log count differs');
});
