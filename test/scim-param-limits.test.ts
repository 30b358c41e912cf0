// Statement parameter limits never become 500s: SQLite binds at most 32,766 parameters per
// statement and Prisma's compiled queries fewer. Each size that used to fail is replayed: a group
// PATCH removing ≥ 500 members, a user with ≥ 2,530 emails, a group create/PUT/PATCH with
// ≥ 32,767 members, 33,000 member ids; and the largest accepted sizes succeed whole.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { scimServer, userBody, groupBody, patchBody, ERROR_URN, type ScimResponse } from './helpers/scim.ts';
import { Prisma } from '../src/db/generated/client.ts';


function refused(t: Test, r: ScimResponse, detail: RegExp, msg: string) {
  t.equal(r.status, 400, `${msg}: 400`);
  t.match(r.headers.get('content-type'), /^application\/scim\+json/, `${msg}: SCIM media type`);
  t.same([r.json?.schemas, r.json?.status, r.json?.scimType], [[ERROR_URN], '400', 'invalidValue'], `${msg}: invalidValue`);
  t.match(r.json?.detail, detail, `${msg}: the detail says the limit`);
}

const members = (ids: string[]) => ids.map((value) => ({ value }));

t.test('parameter limits', async (t) => {
  const { server, a } = await scimServer(t);
  const s = a.scim;

  // Multi-valued attributes: 2,530 emails used to overflow one INSERT; beyond 1,000 it is refused,
  // and the largest accepted user (3 × 1,000 value rows, ~42,000 parameters) is stored whole.
  refused(t, await s.req('POST', '/Users', userBody('many@x.test', { emails: Array.from({ length: 2530 }, (_, i) => ({ value: `m${i}@x.test` })) })), /"emails" has 2530 values; the maximum is 1000/, '2,530 emails');
  const wide = {
    emails: Array.from({ length: 1000 }, (_, i) => ({ value: `w${i}@x.test`, type: 'work' })),
    phoneNumbers: Array.from({ length: 1000 }, (_, i) => ({ value: `+1 555 ${i}`, type: 'mobile' })),
    roles: Array.from({ length: 1000 }, (_, i) => ({ value: `role-${i}` })),
  };
  const w = await s.req('POST', '/Users', userBody('wide@x.test', wide));
  t.equal(w.status, 201, '3 × 1,000 values: created');
  const byEmail = await s.req('GET', `/Users?filter=${encodeURIComponent('emails.value eq "w999@x.test"')}`);
  t.same(byEmail.json.Resources.map((u: { id: string }) => u.id), [w.json.id], 'the last value row was stored (found by the indexed lookup)');
  const byPhone = await s.req('GET', `/Users?filter=${encodeURIComponent('phoneNumbers.value eq "+1 555 999"')}&attributes=userName`);
  t.equal(byPhone.json.totalResults, 1);
  const put = await s.req('PUT', `/Users/${w.json.id}`, userBody('wide@x.test', { ...wide, roles: wide.roles.map((r) => ({ value: `${r.value}-b` })) }));
  t.equal(put.status, 200, 'PUT rewriting 3,000 value rows');
  t.equal((await s.req('GET', `/Users?filter=${encodeURIComponent('roles.value eq "role-999-b"')}&count=0`)).json.totalResults, 1, 'rewritten rows stored');
  t.equal((await s.req('GET', `/Users?filter=${encodeURIComponent('roles.value eq "role-999"')}&count=0`)).json.totalResults, 0, 'old rows gone');

  // 10,000 users, seeded straight into the database in one transaction (plain multi-row INSERTs of
  // the columns a lookup and a member row need; the HTTP path would take a minute on CI).
  const db = server.app.db;
  const tenant = await db.tenant.findFirst({ where: { domainKey: a.domain }, select: { id: true } });
  t.ok(tenant, 'tenant found');
  const ids: string[] = [];
  const t0 = Date.now();
  const now = new Date();
  const inserts: Prisma.Sql[] = [];
  for (let from = 0; from < 10000; from += 500) {
    const rows = Array.from({ length: 500 }, (_, k) => {
      const id = randomUUID();
      ids.push(id);
      const userName = `p${from + k}@x.test`;
      const data = JSON.stringify({ userName, displayName: `P ${from + k}` });
      return Prisma.sql`(${id}, ${tenant!.id}, ${userName}, ${`P ${from + k}`}, ${`p ${from + k}`}, ${data}, ${now}, ${now})`;
    });
    inserts.push(Prisma.sql`INSERT INTO "ScimUser" ("id", "tenantId", "userNameKey", "displayName", "displayNameKey", "data", "createdAt", "updatedAt") VALUES ${Prisma.join(rows)}`);
  }
  await db.$transaction(inserts.map((q) => db.$executeRaw(q)));
  t.comment(`seeded 10,000 users in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  // Seeding ran in this process: a pooled keep-alive connection may have idled past the server's
  // keep-alive time-out meanwhile, so the next request opens a fresh one.
  await s.req('GET', '/ServiceProviderConfig').catch(() => undefined);
  // Member rows counted in the database: rendering 10,000 members on every check would cost more
  // than the requests under test. One GET below reads a 10,000-member group whole.
  const memberCount = (gid: string) => db.scimMember.count({ where: { groupId: gid } });

  // Beyond the documented 10,000 members per request: 400 naming the limit, for every shape.
  const over = [...ids, ...Array.from({ length: 22767 }, (_, i) => `x${i}`)];
  t.equal(over.length, 32767);
  refused(t, await s.req('POST', '/Groups', groupBody('Over', { members: members(over) })), /names 32767 members; the maximum is 10000 per request/, 'create with 32,767 members');
  const g = (await s.req('POST', '/Groups', groupBody('Big'))).json;
  refused(t, await s.req('PUT', `/Groups/${g.id}`, groupBody('Big', { members: members(over) })), /32767 members/, 'PUT with 32,767 members');
  const ids33k = Array.from({ length: 33000 }, (_, i) => (i < ids.length ? ids[i] : `y${i}`));
  refused(t, await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: members(ids33k) })), /33000 members/, 'PATCH add of 33,000 member ids');
  refused(t, await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members', value: members(ids33k) })), /33000 members/, 'PATCH remove of 33,000 member ids');
  refused(
    t,
    await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: members(ids.slice(0, 6000)) }, { op: 'add', path: 'members', value: members(ids.slice(4000)) })),
    /names 12000 members/,
    'the bound is on the whole request, over its operations',
  );
  t.equal(await memberCount(g.id), 0, 'nothing applied');

  // 10,000 unknown ids: every id is resolved (in slices), and the answer is the usual 400.
  const unknown = await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: members([...ids.slice(0, 9999), 'no-such-id']) }));
  refused(t, unknown, /members value "no-such-id" is not a User or Group in this tenant/, '9,999 users and one unknown id');

  // At the bound: 10,000 members added in one PATCH (50,000 INSERT parameters), removed 500 and
  // 600 at a time (the sizes that failed with P2029), then the rest, then set by PUT and POST.
  const add = await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: members(ids) }));
  t.equal(add.status, 204, 'add 10,000 members');
  t.equal(await memberCount(g.id), 10000, 'all 10,000 stored');
  const whole = await s.req('GET', `/Groups/${g.id}?attributes=members`);
  t.same(new Set(whole.json.members.map((m: { value: string }) => m.value)), new Set(ids), 'and read back whole over SCIM');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: members(ids.slice(0, 5000)) }))).status, 204, 'adding 5,000 of them again is idempotent');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members', value: members(ids.slice(0, 500)) }))).status, 204, 'remove 500');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'Remove', path: 'members', value: members(ids.slice(500, 1100)) }))).status, 204, 'remove 600');
  const filterRemoval = ids.slice(1100, 1200).map((id) => `value eq "${id}"`).join(' or ');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[${filterRemoval}]` }))).status, 204, 'remove 100 by value filter');
  t.equal(await memberCount(g.id), 8800, '1,200 removed');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members', value: members(ids.slice(1200)) }))).status, 204, 'remove the remaining 8,800');
  t.equal(await memberCount(g.id), 0, 'empty');
  const put10k = await s.req('PUT', `/Groups/${g.id}?excludedAttributes=members`, groupBody('Big', { members: members(ids) }));
  t.equal(put10k.status, 200, 'PUT with 10,000 members');
  t.equal(await memberCount(g.id), 10000, 'all stored');
  const post10k = await s.req('POST', '/Groups?excludedAttributes=members', groupBody('Big 2', { members: members(ids) }));
  t.equal(post10k.status, 201, 'create with 10,000 members');
  const memberOf = await s.req('GET', `/Users/${ids[9999]}?attributes=groups`);
  t.same(memberOf.json.groups.map((x: { value: string }) => x.value).sort(), [g.id, post10k.json.id].sort(), 'memberships visible from the user');
  t.equal((await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members' }))).status, 204, 'remove all');
  t.equal((await s.req('GET', `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members pr`)}&count=0`)).json.totalResults, 0, 'no member left');
  t.comment(`10,000-member requests took ${Date.now() - t1} ms`);
});
