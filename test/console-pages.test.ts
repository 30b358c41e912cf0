// Console pages over real HTTP with a real SQLite database: tenant isolation of every page and
// action, CSRF refusal, viewer refusal, session checks, activity log and CSV export.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { consoleAs, seedManager, seedTenant } from './helpers/console.ts';
import { createActivityRecorder } from '../src/activity/recorder.ts';
import type { Db } from '../src/db/client.ts';

async function seedUser(db: Db, tenantId: string, userName: string, opts: { email?: string; active?: boolean; displayName?: string } = {}) {
  const id = crypto.randomUUID();
  const data: Record<string, unknown> = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    active: opts.active ?? true,
    displayName: opts.displayName ?? userName,
    name: { givenName: 'Given', familyName: 'Family' },
    ...(opts.email ? { emails: [{ value: opts.email, type: 'work', primary: true }] } : {}),
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
  };
  await db.scimUser.create({
    data: {
      id,
      tenantId,
      userNameKey: userName.toLowerCase(),
      displayName: opts.displayName ?? userName,
      displayNameKey: (opts.displayName ?? userName).toLowerCase(),
      active: opts.active ?? true,
      data: JSON.stringify(data),
      values: opts.email ? { create: [{ tenantId, attr: 'emails', typeKey: 'work', valueKey: opts.email.toLowerCase(), primary: true }] } : undefined,
    },
  });
  return id;
}

async function seedGroup(db: Db, tenantId: string, displayName: string, userIds: string[]) {
  const id = crypto.randomUUID();
  await db.scimGroup.create({
    data: {
      id,
      tenantId,
      displayName,
      displayNameKey: displayName.toLowerCase(),
      data: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName }),
      members: { create: userIds.map((userId) => ({ tenantId, userId })) },
    },
  });
  return id;
}

t.test('console pages', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const a = await seedTenant(db, 'acme', 'Acme Corp');
  const b = await seedTenant(db, 'globex', 'Globex Inc');
  const adminA = await seedManager(db, a, 'alice', 'admin');
  const viewerA = await seedManager(db, a, 'victor', 'viewer');
  const adminB = await seedManager(db, b, 'bob', 'admin');
  const uA = await seedUser(db, a, 'Jane.Doe@acme.test', { email: 'Jane.Doe@Mail.Acme.test', displayName: 'Jane Doe' });
  const uA2 = await seedUser(db, a, 'old.timer@acme.test', { active: false });
  const uB = await seedUser(db, b, 'secret.person@globex.test', { email: 'secret@globex.test' });
  const gA = await seedGroup(db, a, 'Sales Team', [uA, uA2]);
  const gB = await seedGroup(db, b, 'Globex Board', [uB]);
  await db.connection.create({ data: { grantId: 'grant-a', tenantId: a, clientId: s.config.entra.clientId, authorizedBy: adminA } });
  await db.connection.create({ data: { grantId: 'grant-b', tenantId: b, clientId: s.config.entra.clientId, authorizedBy: adminB } });
  // A connection is live while its grant holds a usable token (the code was exchanged).
  for (const g of ['grant-a', 'grant-b']) {
    await db.oidcPayload.create({ data: { id: `rt-${g}`, type: 'RefreshToken', grantId: g, payload: '{}', expiresAt: new Date(Date.now() + 86_400_000) } });
  }

  const { jar, csrf } = await consoleAs(db, s.url, adminA, a);
  const viewer = await consoleAs(db, s.url, viewerA, a);

  t.test('no session: pages redirect to sign-in, posts are refused', async (t) => {
    const anon = await fetch(`${s.url}/console/users`, { redirect: 'manual' });
    t.equal(anon.status, 303);
    t.equal(anon.headers.get('location'), '/console/login?next=%2Fconsole%2Fusers');
    const post = await fetch(`${s.url}/console/connections/grant-a/disconnect`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrf}`,
    });
    t.equal(post.status, 401);
    const bogus = await fetch(`${s.url}/console`, { redirect: 'manual', headers: { cookie: 'sl_console=not-a-session' } });
    t.equal(bogus.status, 303);
  });

  t.test('overview shows own tenant and own connections only', async (t) => {
    const res = await jar.get('/console');
    t.equal(res.status, 200);
    t.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    t.match(html, 'Acme Corp');
    t.match(html, '/console/connections/grant-a/disconnect');
    t.notMatch(html, 'grant-b');
    t.notMatch(html, 'Globex');
    t.match(html, 'by alice');
    t.match(html, 'No SCIM requests in the last 7 days', 'empty chart state');
  });

  t.test('users: search by name and email, filter, isolation', async (t) => {
    let html = await (await jar.get('/console/users')).text();
    t.match(html, 'Jane.Doe@acme.test');
    t.match(html, 'old.timer@acme.test');
    t.notMatch(html, 'secret.person');
    html = await (await jar.get('/console/users?q=MAIL.ACME')).text();
    t.match(html, 'Jane.Doe@acme.test', 'email search is case-insensitive');
    t.notMatch(html, 'old.timer');
    html = await (await jar.get('/console/users?q=secret')).text();
    t.notMatch(html, 'secret.person', 'search never crosses tenants');
    t.match(html, 'No users match');
    html = await (await jar.get('/console/users?status=inactive')).text();
    t.match(html, 'old.timer@acme.test');
    t.notMatch(html, 'Jane.Doe@acme.test');
    const detail = await jar.get(`/console/users/${uA}`);
    t.equal(detail.status, 200);
    const d = await detail.text();
    t.match(d, 'Sales Team', 'group membership');
    t.match(d, 'department');
    t.match(d, /Department <span class="badge badge-schema">Enterprise<\/span><\/dt>/, 'friendly label, schema as a tag');
    t.notMatch(d, /<dt[^>]*>urn:/, 'no URN as a label');
    t.match(d, 'Jane.Doe@Mail.Acme.test');
    t.equal((await jar.get(`/console/users/${uB}`)).status, 404, 'other tenant user is not found');
    t.equal((await jar.get('/console/users/does-not-exist')).status, 404);
  });

  t.test('groups: member counts, members, isolation', async (t) => {
    const html = await (await jar.get('/console/groups')).text();
    t.match(html, 'Sales Team');
    t.match(html, /<td class="num" data-label="Members">2<\/td>/);
    t.notMatch(html, 'Globex Board');
    const g = await (await jar.get(`/console/groups/${gA}`)).text();
    t.match(g, 'Jane Doe');
    t.match(g, 'Members <span class="muted">(2)</span>');
    t.equal((await jar.get(`/console/groups/${gB}`)).status, 404);
  });

  t.test('CSRF: missing or wrong token is refused', async (t) => {
    t.equal((await jar.post('/console/connections/grant-a/disconnect', {})).status, 403);
    t.equal((await jar.post('/console/connections/grant-a/disconnect', { _csrf: csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A') })).status, 403);
    t.equal((await jar.post('/console/connections/grant-a/disconnect', { _csrf: viewer.csrf })).status, 403, "another session's token");
    const c = await db.connection.findUniqueOrThrow({ where: { grantId: 'grant-a' } });
    t.equal(c.revokedAt, null);
  });

  t.test('viewer: can read, cannot change anything', async (t) => {
    const html = await (await viewer.jar.get('/console')).text();
    t.notMatch(html, '/disconnect', 'no Disconnect button');
    t.notMatch(html, 'href="/console/api-clients"');
    t.equal((await viewer.jar.post('/console/connections/grant-a/disconnect', { _csrf: viewer.csrf })).status, 403);
    const managers = await viewer.jar.get('/console/managers');
    t.equal(managers.status, 200, 'viewers read the managers list');
    const m = await managers.text();
    t.match(m, 'alice');
    t.notMatch(m, '<form method="post" action="/console/managers', 'without any control');
    t.equal((await viewer.jar.get('/console/api-clients')).status, 403);
    t.equal((await viewer.jar.get('/console/users')).status, 200);
  });

  t.test('disconnect of another tenant grant is not found and changes nothing', async (t) => {
    const res = await jar.post('/console/connections/grant-b/disconnect', { _csrf: csrf });
    t.equal(res.status, 404);
    const c = await db.connection.findUniqueOrThrow({ where: { grantId: 'grant-b' } });
    t.equal(c.revokedAt, null);
  });

  t.test('activity log: filters, isolation, CSV export', async (t) => {
    const rec = createActivityRecorder({ db, config: s.config, log: s.app.log }, { sweepIntervalMs: 0 });
    const at = new Date();
    const e = { at, grantId: 'grant-a', clientId: 'c', durationMs: 5 };
    rec.record({ ...e, tenantId: a, method: 'POST', operation: 'create', resourceType: 'User', resourceId: uA, status: 201 });
    rec.record({ ...e, tenantId: a, method: 'PATCH', operation: 'update', resourceType: 'Group', resourceId: gA, status: 200 });
    rec.record({ ...e, tenantId: a, method: 'POST', operation: 'create', resourceType: 'User', status: 409, scimType: 'uniqueness', detail: '=HYPERLINK("http://evil"), "quoted"' });
    rec.record({ ...e, tenantId: b, method: 'DELETE', operation: 'delete', resourceType: 'User', resourceId: uB, status: 204, grantId: 'grant-b' });
    await rec.close();

    let html = await (await jar.get('/console/activity')).text();
    t.match(html, 'uniqueness');
    t.notMatch(html, uB.slice(0, 8));
    html = await (await jar.get('/console/activity?outcome=failure')).text();
    t.match(html, 'uniqueness');
    t.notMatch(html, `/console/groups/${gA}`);
    html = await (await jar.get('/console/activity?type=Group')).text();
    t.match(html, `/console/groups/${gA}`);
    t.notMatch(html, 'uniqueness');
    const userPage = await (await jar.get(`/console/users/${uA}`)).text();
    t.match(userPage, '<span class="op" title="create (POST)">Created</span>', "user's provisioning history");

    const overview = await (await jar.get('/console')).text();
    t.match(overview, /<td data-label="Requests \(24 h\)" class="num">3<\/td>/, '24 h requests of grant-a');
    t.match(overview, 'Succeeded (2)');

    const csv = await jar.get('/console/activity.csv');
    t.equal(csv.status, 200);
    t.match(csv.headers.get('content-type') ?? '', 'text/csv');
    t.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="activity-acme-/);
    const body = await csv.text();
    const lines = body.trimEnd().split('\r\n');
    t.equal(lines[0], 'time,method,operation,resourceType,resourceId,status,outcome,scimType,detail,durationMs,clientId,changes');
    t.equal(lines.length, 4, 'header + 3 rows of tenant A');
    t.ok(body.includes(`"'=HYPERLINK(""http://evil""), ""quoted"""`), 'formula prefixed and quotes escaped');
    t.notOk(body.includes(uB), 'no other-tenant rows');
    const failures = await (await jar.get('/console/activity.csv?outcome=failure')).text();
    t.equal(failures.trimEnd().split('\r\n').length, 2);

    // Client-credentials traffic (no grant) is listed under its API client.
    await db.apiClient.create({ data: { id: 'slc_test', tenantId: a, name: 'Entra CC', createdBy: adminA, secrets: { create: { id: 'sec-1', secretHash: 'x', hint: 'abcd' } } } });
    const rec2 = createActivityRecorder({ db, config: s.config, log: s.app.log }, { sweepIntervalMs: 0 });
    rec2.record({ ...e, grantId: null, clientId: 'slc_test', tenantId: a, method: 'GET', operation: 'list', resourceType: 'User', status: 200 });
    rec2.record({ ...e, grantId: null, clientId: 'slc_test', tenantId: a, method: 'GET', operation: 'read', resourceType: 'User', status: 404 });
    await rec2.close();
    const withCc = await (await jar.get('/console')).text();
    t.match(withCc, /Entra CC<\/strong><br><span class="muted small">Client credentials/);
    t.match(withCc, /hour of [^<]+<\/td>\s*<td data-label="Requests \(24 h\)" class="num">2<\/td>\s*<td data-label="Failures \(24 h\)" class="num text-bad">1<\/td>/, 'API client counters');
    const bHtml = await (await (await consoleAs(db, s.url, adminB, b)).jar.get('/console')).text();
    t.notMatch(bHtml, 'Entra CC', 'not shown to another tenant');
  });

  t.test('session: disabled manager, disabled tenant, idle and absolute timeouts', async (t) => {
    const m = await seedManager(db, a, 'temp', 'admin');
    const c = await consoleAs(db, s.url, m, a);
    t.equal((await c.jar.get('/console')).status, 200);
    await db.manager.update({ where: { id: m }, data: { enabled: false } });
    t.equal((await c.jar.get('/console')).status, 303, 'disabled manager is signed out');

    const m2 = await seedManager(db, b, 'temp2', 'admin');
    const c2 = await consoleAs(db, s.url, m2, b);
    t.equal((await c2.jar.get('/console')).status, 200);
    await db.tenant.update({ where: { id: b }, data: { enabled: false } });
    t.equal((await c2.jar.get('/console')).status, 303, 'disabled tenant is signed out');
    await db.tenant.update({ where: { id: b }, data: { enabled: true } });

    const m3 = await seedManager(db, a, 'idle', 'admin');
    const c3 = await consoleAs(db, s.url, m3, a);
    await db.consoleSession.updateMany({ where: { managerId: m3 }, data: { lastSeenAt: new Date(Date.now() - (s.config.console.idleTimeoutSeconds + 5) * 1000) } });
    t.equal((await c3.jar.get('/console')).status, 303, 'idle timeout');
    t.equal(await db.consoleSession.count({ where: { managerId: m3 } }), 0, 'expired session deleted');

    const c4 = await consoleAs(db, s.url, m3, a);
    await db.consoleSession.updateMany({ where: { managerId: m3 }, data: { expiresAt: new Date(Date.now() - 1000) } });
    t.equal((await c4.jar.get('/console')).status, 303, 'absolute timeout');
  });
});
