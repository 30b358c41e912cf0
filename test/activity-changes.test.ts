// Activity rows of SCIM PATCH/PUT say what changed (old → new), on the Activity page, the user's
// provisioning history and in the CSV export; credentials are never shown; group member changes
// are counted, not listed whole; nothing is worked out or kept when ACTIVITY_RECORDING=off.
import t from 'tap';
import { startServer, type TestServer } from './helpers/server.ts';
import { seedTenant } from './helpers/oauth.ts';
import { consoleAs, seedTenant as seedTenantRow } from './helpers/console.ts';
import { freshDb } from './helpers/db.ts';
import { createUsersRepo } from '../src/db/scim-users.ts';
import { createGroupsRepo } from '../src/db/scim-groups.ts';
import { createUsersService } from '../src/scim/users-service.ts';
import { createGroupsService } from '../src/scim/groups-service.ts';
import { createSecretToken } from '../src/db/secret-tokens.ts';
import { parseChanges } from '../src/activity/changes.ts';

const PW = 'Correct-Horse-Battery-9';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SECRET = 'Tr0ub4dor&3-never-shown';

async function setup(s: TestServer) {
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', managers: [{ username: 'alice', password: PW }] });
  const { jar } = await consoleAs(db, s.url, managers[0].id, tenant.id);
  const tok = await createSecretToken(db, { tenantId: tenant.id, name: 'cycle', expiresInDays: null, createdBy: null });
  const scim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${tok.value}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return { db, tenant, jar, scim };
}

const cells = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1].replace(/&#34;/g, '"').replace(/&gt;/g, '>'));

t.test('PATCH and PUT rows list the attributes changed', async (t) => {
  const s = await startServer(t);
  const { db, tenant, jar, scim } = await setup(s);
  const jane = await scim('POST', '/Users', {
    schemas: [USER],
    userName: 'jane@acme.test',
    active: true,
    name: { givenName: 'Jane', familyName: 'Smith' },
    emails: [{ type: 'work', value: 'jane@acme.test', primary: true }],
  });
  t.equal(jane.status, 201);
  const id = jane.json.id as string;

  // Entra's dialect: a value-filter path, a sub-attribute path, a string boolean.
  const p = await scim('PATCH', `/Users/${id}`, {
    schemas: [PATCH],
    Operations: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'jane.smyth@acme.test' },
      { op: 'Replace', path: 'name.familyName', value: 'Smyth' },
      { op: 'Replace', path: 'active', value: 'False' },
    ],
  });
  t.equal(p.status, 200);
  // The path-less form Entra uses for a mapped password; the value is accepted and not stored.
  t.equal((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { password: SECRET } }] })).status, 200);
  t.equal((await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'jane@acme.test', active: true, displayName: 'Jane Smyth', password: SECRET })).status, 200);
  t.equal((await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'nosuch', value: 1 }] })).status, 400);

  const page = await (await jar.get('/console/activity')).text(); // flushes the recorder first
  const rows = await db.activity.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } });
  t.same(rows.map((r) => [r.method, r.status]), [['POST', 201], ['PATCH', 200], ['PATCH', 200], ['PUT', 200], ['PATCH', 400]]);
  t.equal(rows[0].changes, null, 'a create has no change summary');
  t.equal(rows[4].changes, null, 'a refused PATCH changed nothing');
  const patch = parseChanges(rows[1].changes)!;
  t.same(
    patch.attributes.map((c) => `${c.path}: ${c.from} → ${c.to}`).sort(),
    ['active: true → false', 'emails[type eq "work"].value: jane@acme.test → jane.smyth@acme.test', 'name.familyName: Smith → Smyth'],
    'exactly the three attributes Entra changed',
  );
  t.equal(patch.more, 0);
  t.same(parseChanges(rows[2].changes)!.attributes, [{ path: 'password', secret: true }]);
  const put = parseChanges(rows[3].changes)!.attributes.map((c) => c.path).sort();
  t.same(put, ['active', 'displayName', 'emails[type eq "work"].primary', 'emails[type eq "work"].value', 'name.familyName', 'name.givenName', 'password'], 'PUT: what the replacement changed, removals included');
  t.notOk(rows.some((r) => (r.changes ?? '').includes(SECRET)), 'no password value stored');

  const lines = cells(page);
  t.ok(lines.includes('name.familyName: Smith → Smyth'), 'readable on the Activity page');
  t.ok(lines.includes('active: true → false'));
  t.ok(lines.includes('emails[type eq "work"].value: jane@acme.test → jane.smyth@acme.test'));
  t.ok(lines.includes('password: changed'));
  t.ok(lines.includes('displayName: (empty) → Jane Smyth'));
  t.notMatch(page, SECRET);

  const history = await (await jar.get(`/console/users/${id}`)).text();
  t.ok(cells(history).includes('name.familyName: Smith → Smyth'), 'and in the user’s provisioning history');
  t.ok(cells(history).includes('password: changed'));

  const csv = await (await jar.get('/console/activity.csv')).text();
  const [header, ...data] = csv.trimEnd().split('\r\n');
  t.equal(header.split(',').at(-1), 'changes');
  t.ok(data.some((l) => l.includes('name.familyName: Smith → Smyth') && l.includes('active: true → false')), 'CSV carries the summary');
  t.ok(data.some((l) => l.endsWith(',password: changed')));
  t.notMatch(csv, SECRET);
});

t.test('group PATCH: members counted, named by their users', async (t) => {
  const s = await startServer(t);
  const { db, tenant, jar, scim } = await setup(s);
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push((await scim('POST', '/Users', { schemas: [USER], userName: `u${String(i).padStart(2, '0')}@acme.test` })).json.id);
  const g = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering' });
  const gid = g.json.id as string;
  t.equal((await scim('PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }] })).status, 204);
  t.equal(
    (await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Eng' },
        { op: 'Remove', path: `members[value eq "${ids[0]}"]` },
      ],
    })).status,
    204,
  );
  t.equal((await scim('PUT', `/Groups/${gid}`, { schemas: [GROUP], displayName: 'Eng', members: [{ value: ids[1] }] })).status, 200);

  const page = await (await jar.get('/console/activity?type=Group')).text();
  const rows = await db.activity.findMany({ where: { tenantId: tenant.id, resourceType: 'Group', method: { not: 'POST' } }, orderBy: { id: 'asc' } });
  const add = parseChanges(rows[0].changes)!;
  t.equal(add.members!.added, 50);
  t.equal(add.members!.addedIds.length, 10, 'a few ids, never the whole list');
  t.same(add.attributes, []);
  const lines = cells(page);
  t.ok(lines.includes('members +50 (added: u00@acme.test, u01@acme.test, u02@acme.test, u03@acme.test, u04@acme.test, u05@acme.test, u06@acme.test, u07@acme.test, u08@acme.test, u09@acme.test and 40 more)'), 'the count, members by name');
  t.ok(lines.includes('displayName: Engineering → Eng'));
  t.ok(lines.includes('members −1 (removed: u00@acme.test)'));
  t.ok(lines.includes('members set to 1 member'), 'PUT: the new member count');
  const csv = await (await jar.get('/console/activity.csv?type=Group')).text();
  t.match(csv, /members \+50 \(added: [0-9a-f-]{36}, /, 'CSV: the count, members by id');
});

t.test('ACTIVITY_RECORDING=off: nothing recorded', async (t) => {
  const s = await startServer(t, { ACTIVITY_RECORDING: 'off' });
  const { db, tenant, jar, scim } = await setup(s);
  const u = await scim('POST', '/Users', { schemas: [USER], userName: 'jane@acme.test', name: { familyName: 'Smith' } });
  t.equal((await scim('PATCH', `/Users/${u.json.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'name.familyName', value: 'Smyth' }] })).status, 200);
  const page = await (await jar.get('/console/activity')).text();
  t.equal(await db.activity.count({ where: { tenantId: tenant.id } }), 0);
  t.notMatch(page, 'Smyth');
});

t.test('the services work a summary out only when asked to (activity recording on)', async (t) => {
  const db = await freshDb(t);
  const tenantId = await seedTenantRow(db, 'acme');
  const patch = (v: string) => ({ schemas: [PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: v }] });
  for (const trackChanges of [false, true]) {
    const users = createUsersService({ repo: createUsersRepo(db), baseUrl: 'http://x/scim/v2', trackChanges });
    const groups = createGroupsService({ repo: createGroupsRepo(db), baseUrl: 'http://x/scim/v2', trackChanges });
    const u = await users.create(tenantId, { schemas: [USER], userName: `u-${trackChanges}@acme.test` });
    const g = await groups.create(tenantId, { schemas: [GROUP], displayName: `g-${trackChanges}` });
    const results = [
      await users.patch(tenantId, u.id, patch('A'), undefined),
      await users.replace(tenantId, u.id, { schemas: [USER], userName: `u-${trackChanges}@acme.test` }, undefined),
      await groups.patch(tenantId, g.id, patch('B'), undefined, null),
      await groups.replace(tenantId, g.id, { schemas: [GROUP], displayName: `c-${trackChanges}` }, undefined),
    ];
    t.same(results.map((r) => 'changes' in r), [trackChanges, trackChanges, trackChanges, trackChanges], `trackChanges ${trackChanges}`);
  }
});
