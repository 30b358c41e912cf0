// manager.displayName of users read back after a write and on the general list path comes from
// one plain statement by primary key (attachManagers), with the tenant checked on each row: a
// manager of another tenant, or one deleted since, gives no displayName. Real database (SQLite
// file, or PostgreSQL schema).
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { createUsersRepo } from '../src/db/scim-users.ts';
import { toWrite } from '../src/scim/users-service.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const managed = (userName: string, manager: string, extra: Record<string, unknown> = {}) => toWrite({ userName, ...extra, [ENT]: { manager: { value: manager } } });

t.test('manager display names after writes and on the general list path', async (t) => {
  const db = await freshDb(t);
  for (const [id, domain] of [['ta', 'a.test'], ['tb', 'b.test']]) await db.tenant.create({ data: { id, domain, domainKey: domain, name: domain } });
  const repo = createUsersRepo(db);
  await repo.create('ta', 'u-boss', toWrite({ userName: 'boss', displayName: 'The Boss' }));
  await repo.create('tb', 'u-other', toWrite({ userName: 'other', displayName: 'Other Tenant' }));

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
