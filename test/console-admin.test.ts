// Managers, API clients and password change through the console over real HTTP: admin-only,
// tenant-scoped (ids of another tenant → 404), last-admin protection, secrets shown once.
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { consoleAs, csrfFrom, seedTenant } from './helpers/console.ts';
import { createManagerWithPassword, verifyManagerPassword } from '../src/accounts/index.ts';

const PW = 'Correct-Horse-42';

t.test('console administration', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const deps = { db, config: s.config };
  const a = await seedTenant(db, 'acme', 'Acme');
  const b = await seedTenant(db, 'globex', 'Globex');
  const alice = await createManagerWithPassword(deps, { tenantId: a, username: 'alice', password: PW, role: 'admin' });
  const bob = await createManagerWithPassword(deps, { tenantId: b, username: 'bob', password: PW, role: 'admin' });
  const { jar, csrf } = await consoleAs(db, s.url, alice.id, a);

  t.test('add a manager: must change password; duplicate and weak password refused on the page', async (t) => {
    let res = await jar.post('/console/managers', { _csrf: csrf, username: 'carol', password: 'Initial-Pass-123', role: 'viewer' });
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/console/managers?done=added');
    const carol = await db.manager.findFirstOrThrow({ where: { tenantId: a, usernameKey: 'carol' } });
    t.equal(carol.mustChangePassword, true);
    t.equal(carol.role, 'viewer');
    t.not(carol.passwordHash, 'Initial-Pass-123');
    t.match(carol.passwordHash, /^\$argon2id\$/);
    const html = await (await jar.get('/console/managers?done=added')).text();
    t.match(html, 'carol');
    t.match(html, 'Must change password at next sign-in');
    t.notMatch(html, 'bob', 'other tenant managers are not listed');

    res = await jar.post('/console/managers', { _csrf: csrf, username: 'CAROL', password: 'Initial-Pass-123', role: 'viewer' });
    t.equal(res.status, 400);
    t.match(await res.text(), /alert-error/);
    res = await jar.post('/console/managers', { _csrf: csrf, username: 'dave', password: 'short', role: 'viewer' });
    t.equal(res.status, 400);
    t.match(await res.text(), /too short/);
  });

  t.test('role, disable, remove: tenant-scoped and last admin protected', async (t) => {
    const carol = await db.manager.findFirstOrThrow({ where: { tenantId: a, usernameKey: 'carol' } });
    // Another tenant's manager id → 404 for every action, and nothing changes.
    for (const path of [`/console/managers/${bob.id}/role`, `/console/managers/${bob.id}/enabled`, `/console/managers/${bob.id}/remove`]) {
      const res = await jar.post(path, { _csrf: csrf, role: 'viewer', enabled: 'false' });
      t.equal(res.status, 404, path);
    }
    const bobNow = await db.manager.findUniqueOrThrow({ where: { id: bob.id } });
    t.same([bobNow.role, bobNow.enabled], ['admin', true]);

    // Alice is the only admin: cannot demote, disable or remove herself.
    let res = await jar.post(`/console/managers/${alice.id}/role`, { _csrf: csrf, role: 'viewer' });
    t.equal(res.status, 400);
    t.match(await res.text(), /last enabled admin/);
    res = await jar.post(`/console/managers/${alice.id}/enabled`, { _csrf: csrf, enabled: 'false' });
    t.equal(res.status, 400);
    res = await jar.post(`/console/managers/${alice.id}/remove`, { _csrf: csrf, confirm: 'yes' });
    t.equal(res.status, 400);
    t.equal((await db.manager.findUniqueOrThrow({ where: { id: alice.id } })).role, 'admin');

    res = await jar.post(`/console/managers/${carol.id}/role`, { _csrf: csrf, role: 'admin' });
    t.equal(res.status, 303);
    t.equal((await db.manager.findUniqueOrThrow({ where: { id: carol.id } })).role, 'admin');
    res = await jar.post(`/console/managers/${carol.id}/enabled`, { _csrf: csrf, enabled: 'false' });
    t.equal(res.status, 303);
    t.equal((await db.manager.findUniqueOrThrow({ where: { id: carol.id } })).enabled, false);
    res = await jar.post(`/console/managers/${carol.id}/enabled`, { _csrf: csrf, enabled: 'true' });
    t.equal((await db.manager.findUniqueOrThrow({ where: { id: carol.id } })).enabled, true);
    // Removal asks first: a page naming the manager and the consequence, nothing removed yet.
    res = await jar.post(`/console/managers/${carol.id}/remove`, { _csrf: csrf });
    t.equal(res.status, 200);
    let html = await res.text();
    t.match(html, 'Manager &#34;carol&#34;');
    t.match(html, /can no longer sign in/);
    t.match(html, /name="confirm" value="yes"/);
    t.match(html, new RegExp(`name="_csrf" value="${csrf}"`));
    t.equal(await db.manager.count({ where: { id: carol.id } }), 1, 'not removed before confirmation');
    res = await jar.post(`/console/managers/${carol.id}/remove`, { _csrf: csrf, confirm: 'yes' });
    t.equal(res.status, 303);
    html = await (await jar.get('/console/activity?view=audit')).text();
    t.match(html, /Manager removed/, 'audited');
    t.equal(await db.manager.count({ where: { id: carol.id } }), 0);
  });

  t.test('forced and self-service password change', async (t) => {
    const dan = await createManagerWithPassword(deps, { tenantId: a, username: 'dan', password: PW, role: 'viewer', mustChangePassword: true });
    const d = await consoleAs(db, s.url, dan.id, a);
    const other = await consoleAs(db, s.url, dan.id, a);
    let res = await d.jar.get('/console/users');
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/console/password', 'forced change before anything else');
    const page = await (await d.jar.get('/console/password')).text();
    t.match(page, 'Choose your own password to continue');
    t.equal(csrfFrom(page), d.csrf);
    res = await d.jar.post('/console/password', { _csrf: d.csrf, current: 'wrong-Password-1', password: 'Brand-New-Pass-9', confirm: 'Brand-New-Pass-9' });
    t.equal(res.status, 400);
    t.match(await res.text(), /current password is not correct/);
    res = await d.jar.post('/console/password', { _csrf: d.csrf, current: PW, password: 'Brand-New-Pass-9', confirm: 'Brand-New-Pass-8' });
    t.equal(res.status, 400);
    t.match(await res.text(), /do not match/);
    res = await d.jar.post('/console/password', { _csrf: d.csrf, current: PW, password: 'Brand-New-Pass-9', confirm: 'Brand-New-Pass-9' });
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/console');
    t.equal((await d.jar.get('/console/users')).status, 200, 'console reachable after the change');
    t.equal((await other.jar.get('/console/users')).status, 303, 'other sessions of that manager ended');
    const v = await verifyManagerPassword(deps, a, 'dan', 'Brand-New-Pass-9');
    t.equal(v.ok, true);
    t.equal((await db.manager.findUniqueOrThrow({ where: { id: dan.id } })).mustChangePassword, false);
    // A viewer may change their own password (self-service POST is not an admin action).
    res = await d.jar.post('/console/password', { _csrf: d.csrf, current: 'Brand-New-Pass-9', password: 'Another-Pass-77', confirm: 'Another-Pass-77' });
    t.equal(res.status, 303);
    t.equal(res.headers.get('location'), '/console/password?done=1');
  });

  t.test('API clients: secret shown once, two secrets, revoke, delete, isolation', async (t) => {
    let res = await jar.post('/console/api-clients', { _csrf: csrf, name: 'Entra provisioning' });
    t.equal(res.status, 200);
    t.equal(res.headers.get('cache-control'), 'no-store');
    let html = await res.text();
    const clientId = /data-testid="client-id">([^<]+)</.exec(html)?.[1];
    const secret = /data-testid="client-secret">([^<]+)</.exec(html)?.[1];
    t.ok(clientId && secret, 'client id and secret shown');
    t.match(html, `${s.url}/oauth/token`);
    t.match(html, `${s.url}/scim/v2`);
    html = await (await jar.get('/console/api-clients')).text();
    t.notMatch(html, secret!, 'secret never shown again');
    t.match(html, `…${secret!.slice(-4)}`, 'hint only');

    res = await jar.post(`/console/api-clients/${clientId}/secrets`, { _csrf: csrf });
    t.equal(res.status, 200);
    const second = /data-testid="client-secret">([^<]+)</.exec(await res.text())?.[1];
    t.ok(second && second !== secret);
    res = await jar.post(`/console/api-clients/${clientId}/secrets`, { _csrf: csrf });
    t.equal(res.status, 400, 'third active secret refused');
    t.match(await res.text(), /at most 2 active secrets/);

    const secrets = await db.apiClientSecret.findMany({ where: { clientId }, orderBy: { createdAt: 'asc' } });
    t.equal(secrets.length, 2);

    // Another tenant's admin cannot see or touch this client.
    const bobC = await consoleAs(db, s.url, bob.id, b);
    const bobPage = await (await bobC.jar.get('/console/api-clients')).text();
    t.notMatch(bobPage, clientId!);
    t.equal((await bobC.jar.post(`/console/api-clients/${clientId}/secrets`, { _csrf: bobC.csrf })).status, 404);
    t.equal((await bobC.jar.post(`/console/api-clients/${clientId}/secrets/${secrets[0].id}/revoke`, { _csrf: bobC.csrf })).status, 404);
    t.equal((await bobC.jar.post(`/console/api-clients/${clientId}/delete`, { _csrf: bobC.csrf })).status, 404);
    t.equal(await db.apiClient.count({ where: { id: clientId } }), 1);

    res = await jar.post(`/console/api-clients/${clientId}/secrets/${secrets[0].id}/revoke`, { _csrf: csrf });
    t.equal(res.status, 200, 'confirmation first');
    const confirmHtml = await res.text();
    t.match(confirmHtml, `Secret ending …${secrets[0].hint}`);
    t.match(confirmHtml, /other active secret keeps working/);
    t.notOk((await db.apiClientSecret.findUniqueOrThrow({ where: { id: secrets[0].id } })).revokedAt);
    res = await jar.post(`/console/api-clients/${clientId}/secrets/${secrets[0].id}/revoke`, { _csrf: csrf, confirm: 'yes' });
    t.equal(res.status, 303);
    t.ok((await db.apiClientSecret.findUniqueOrThrow({ where: { id: secrets[0].id } })).revokedAt);
    res = await jar.post(`/console/api-clients/${clientId}/delete`, { _csrf: csrf });
    t.equal(res.status, 200, 'confirmation first');
    t.match(await res.text(), /cannot be undone/);
    t.equal(await db.apiClient.count({ where: { id: clientId } }), 1);
    res = await jar.post(`/console/api-clients/${clientId}/delete`, { _csrf: csrf, confirm: 'yes' });
    t.equal(res.status, 303);
    t.equal(await db.apiClient.count({ where: { id: clientId } }), 0);
    t.match(await (await jar.get('/console/api-clients')).text(), 'No API clients yet');
  });
});
