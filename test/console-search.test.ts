// The console's user and group search selects the same rows on SQLite and PostgreSQL: LIKE's
// wildcards in a term are literal characters, ASCII letters match in any case, other letters
// exactly; stored keys (userName, names, emails, displayName) match in any case in every script.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import type { Db } from '../src/db/client.ts';
import { listGroups, listUsers, matchingUserIds } from '../src/db/console-reads.ts';
import { searchKey } from '../src/scim/resources/search-key.ts';

const TENANT = 'tenant-1';
const OTHER = 'tenant-2';

async function seed(db: Db) {
  for (const id of [TENANT, OTHER]) await db.tenant.create({ data: { id, domain: id, domainKey: id, name: id } });
  const users: [string, string, string | null, boolean][] = [
    // id, userName, externalId, active
    ['u01', 'alice@x.test', 'Ab_c', true],
    ['u02', 'bob@x.test', 'AbXc', true],
    ['u03', 'carol@x.test', '100%', false],
    ['u04', 'dave@x.test', '1000', true],
    ['u05', 'erin@x.test', 'back\\slash', true],
    ['u06', 'frank@x.test', 'backxslash', true],
    ['u07', 'gina@x.test', 'ÄBC', true],
    ['u08', 'hank@x.test', 'äbc', true],
    ['u09', 'a_b@x.test', null, true],
    ['u10', 'axb@x.test', null, true],
    ['u11', 'Ölaf@x.test', null, true],
  ];
  for (const [id, userName, externalId, active] of users) {
    await db.scimUser.create({ data: { id, tenantId: TENANT, userNameKey: searchKey(userName), externalId, active, data: JSON.stringify({ userName }) } });
  }
  await db.scimUserValue.create({ data: { tenantId: TENANT, userId: 'u02', attr: 'emails', valueKey: searchKey('Bob.Work_1@Corp.test') } });
  // Another tenant's rows never show.
  await db.scimUser.create({ data: { id: 'o1', tenantId: OTHER, userNameKey: 'ab_c@other.test', externalId: 'Ab_c', data: '{}' } });
  const groups: [string, string, string | null][] = [
    ['g1', 'team_1', 'Ext_A'],
    ['g2', 'teamx1', 'extxa'],
    ['g3', '100%', null],
    ['g4', 'Über', 'ÜBER-1'],
  ];
  for (const [id, displayName, externalId] of groups) {
    await db.scimGroup.create({ data: { id, tenantId: TENANT, displayName, displayNameKey: searchKey(displayName), externalId, data: JSON.stringify({ displayName }) } });
  }
  await db.scimGroup.create({ data: { id: 'og', tenantId: OTHER, displayName: 'team_1', displayNameKey: 'team_1', externalId: 'Ext_A', data: '{}' } });
}

t.test('console search', async (t) => {
  const db = await freshDb(t);
  await seed(db);
  const users = async (search: string, active?: boolean) =>
    (await listUsers(db, TENANT, { search, page: 1, pageSize: 50, ...(active === undefined ? {} : { active }) })).items.map((u) => u.id);
  const groups = async (search: string) => (await listGroups(db, TENANT, { search, page: 1, pageSize: 50 })).items.map((g) => g.id);

  t.test('externalId: wildcards are literal, ASCII letters in any case, other letters exactly', async (t) => {
    t.same(await users('_'), ['u01', 'u09', 'u02'], '"_" matches only the values holding one (externalId Ab_c, userName a_b@x.test, an email)');
    t.same(await users('%'), ['u03'], '"%" matches only 100%');
    t.same(await users('\\'), ['u05'], 'a backslash is a literal too');
    t.same(await users('b_C'), ['u01'], 'ASCII letters in any case, "_" literal');
    t.same(await users('ABX'), ['u02']);
    t.same(await users('äb'), ['u08'], 'non-ASCII letters compare exactly on both databases');
    t.same(await users('ÄB'), ['u07']);
  });

  t.test('stored keys match in any case, in every script', async (t) => {
    t.same(await users('A_B@'), ['u09']);
    t.same(await users('ölaf'), ['u11']);
    t.same(await users('WORK_1@corp'), ['u02'], 'an email address');
    t.same(await users('work%'), [], 'a wildcard in an email search is literal');
  });

  t.test('filters, order, paging and the total', async (t) => {
    t.same(await users('x.test', false), ['u03'], 'active=false with a search');
    // Keys store LIKE's metacharacters as private-use characters, which sort after letters.
    t.same(await users('@x.test', true), ['u01', 'u10', 'u09', 'u02', 'u04', 'u05', 'u06', 'u07', 'u08', 'u11'], 'ordered by userName');
    const page2 = await listUsers(db, TENANT, { search: '@x.test', page: 2, pageSize: 4 });
    t.same(page2.items.map((u) => u.id), ['u03', 'u04', 'u05', 'u06']);
    t.equal(page2.total, 11);
    t.equal(page2.pages, 3);
    t.match(page2.items[0], { userName: 'carol@x.test', active: false });
    t.same(await matchingUserIds(db, TENANT, 'ab_c'), ['u01'], 'the activity search resolves users the same way');
    t.same((await listUsers(db, TENANT, { page: 1, pageSize: 50 })).total, 11, 'no search: every user of the tenant');
  });

  t.test('groups: displayName key and externalId', async (t) => {
    t.same(await groups('M_'), ['g1'], 'displayName team_1, "_" literal, any case');
    t.same(await groups('0%'), ['g3']);
    t.same(await groups('t_a'), ['g1'], 'externalId Ext_A');
    t.same(await groups('über'), ['g4'], 'displayName key in any case');
    t.same(await groups('Ü'), ['g4']);
    const all = await listGroups(db, TENANT, { search: 'team', page: 1, pageSize: 1 });
    t.same([all.items.map((g) => g.id), all.total], [['g2'], 2]);
    t.match(all.items[0], { displayName: 'teamx1', externalId: 'extxa', members: 0 });
  });
});
