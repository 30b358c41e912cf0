// manager.displayName of users read back after a write and on the general list path comes from
// one plain statement by primary key (attachManagers), with the tenant checked on each row: a
// manager of another tenant, or one deleted since, gives no displayName. Real database (SQLite
// file, or PostgreSQL schema).
import t, { type Test } from 'tap';
import { freshDb } from './helpers/db.ts';
import { createUsersRepo } from '../src/db/scim-users.ts';
import { toWrite } from '../src/scim/users-service.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const managed = (userName: string, manager: string, extra: Record<string, unknown> = {}) => toWrite({ userName, ...extra, [ENT]: { manager: { value: manager } } });

/** Tenants ta and tb, with a manager in each: u-boss ("The Boss") in ta, u-other in tb. */
async function twoTenants(t: Test) {
  const db = await freshDb(t);
  for (const [id, domain] of [['ta', 'a.test'], ['tb', 'b.test']]) await db.tenant.create({ data: { id, domain, domainKey: domain, name: domain } });
  const repo = createUsersRepo(db);
  await repo.create('ta', 'u-boss', toWrite({ userName: 'boss', displayName: 'The Boss' }));
  await repo.create('tb', 'u-other', toWrite({ userName: 'other', displayName: 'Other Tenant' }));
  return { db, repo };
}

t.test('manager display names after writes and on the general list path', async (t) => {
  const { repo } = await twoTenants(t);

  const created = await repo.create('ta', 'u-w1', managed('w1', 'u-boss', { displayName: 'B' }));
  t.equal(created.managerDisplayName, 'The Boss', 'create');
  const updated = await repo.update('ta', 'u-w1', (cur) => toWrite({ ...cur.data, title: 'x' }));
  t.equal(updated.managerDisplayName, 'The Boss', 'update');
  // Seeding writes columns as given, so a row can name another tenant's user as manager.
  await repo.createMany('ta', [{ id: 'u-stray', w: managed('stray', 'u-other', { displayName: 'C' }) }]);

  const list = async () => {
    const page = await repo.list('ta', { where: {}, orderBy: [{ displayName: 'asc' }, { id: 'asc' }], skip: 0, take: 10, groups: false });
    return Object.fromEntries(page.records.map((r) => [r.id, r.managerDisplayName]));
  };
  t.same(await list(), { 'u-w1': 'The Boss', 'u-stray': null, 'u-boss': undefined }, "another tenant's user lends no name");

  t.equal(await repo.remove('ta', 'u-boss'), true);
  t.same(await list(), { 'u-w1': null, 'u-stray': null }, 'a deleted manager has no name');
  const after = await repo.update('ta', 'u-w1', (cur) => toWrite({ ...cur.data, title: 'y' }));
  t.equal(after.managerDisplayName, null, 'update after the manager was deleted');
});

t.test('groups and manager display names in one statement (attachGroups), tenant-checked', async (t) => {
  const { db, repo } = await twoTenants(t);
  await repo.create('ta', 'u-w1', managed('w1', 'u-boss', { displayName: 'B' }));
  await repo.create('ta', 'u-plain', toWrite({ userName: 'plain', displayName: 'D' }));
  await repo.createMany('ta', [{ id: 'u-stray', w: managed('stray', 'u-other', { displayName: 'C' }) }]);
  for (const [id, name] of [['g-2', 'Second'], ['g-1', 'First']]) {
    await db.scimGroup.create({ data: { id, tenantId: 'ta', displayName: name, displayNameKey: name.toLowerCase(), data: '{}' } });
  }
  // Membership order (the member row's id) is the order groups are listed in.
  for (const [groupId, userId] of [['g-2', 'u-w1'], ['g-1', 'u-w1'], ['g-1', 'u-stray']]) await db.scimMember.create({ data: { tenantId: 'ta', groupId, userId } });

  const w1 = await repo.update('ta', 'u-w1', (cur) => toWrite({ ...cur.data, title: 'x' }), { groups: true });
  t.same(w1.groups, [{ value: 'g-2', display: 'Second' }, { value: 'g-1', display: 'First' }]);
  t.equal(w1.managerDisplayName, 'The Boss');
  const stray = await repo.update('ta', 'u-stray', (cur) => toWrite({ ...cur.data, title: 'x' }), { groups: true });
  t.same(stray.groups, [{ value: 'g-1', display: 'First' }]);
  t.equal(stray.managerDisplayName, null, "another tenant's user lends no name");
  const plain = await repo.update('ta', 'u-plain', (cur) => toWrite({ ...cur.data, title: 'x' }), { groups: true });
  t.same([plain.groups, plain.managerDisplayName], [[], undefined], 'no groups, no manager');

  const page = await repo.list('ta', { where: {}, orderBy: [{ displayName: 'asc' }, { id: 'asc' }], skip: 0, take: 10, groups: true });
  t.same(
    page.records.map((r) => [r.id, r.groups!.map((g) => g.value), r.managerDisplayName]),
    [['u-w1', ['g-2', 'g-1'], 'The Boss'], ['u-stray', ['g-1'], null], ['u-plain', [], undefined], ['u-boss', [], undefined]],
  );
  await repo.remove('ta', 'u-boss');
  const after = await repo.update('ta', 'u-w1', (cur) => toWrite({ ...cur.data, title: 'y' }), { groups: true });
  t.same([after.groups!.length, after.managerDisplayName], [2, null], 'a deleted manager has no name');
});
