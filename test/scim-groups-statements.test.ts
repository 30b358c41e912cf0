// The groups repository's plain statements on both databases: members added by INSERT … SELECT
// (resolved in the tenant, idempotent, in id order, groups after users), the document left alone
// by a member-only change and written when it changed.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { createGroupsRepo, type MemberDelta } from '../src/db/scim-groups.ts';
import { ReferenceNotFound, SelfReference } from '../src/db/errors.ts';
import { groupWrite } from '../src/scim/groups-service.ts';
import type { Db } from '../src/db/client.ts';
import type { MemberRef } from '../src/scim/membership.ts';

async function tenantWithUsers(db: Db, tenantId: string, ids: string[]): Promise<void> {
  await db.tenant.create({ data: { id: tenantId, domain: tenantId, domainKey: tenantId.toLowerCase(), name: tenantId } });
  for (const id of ids) {
    await db.scimUser.create({ data: { id, tenantId, userNameKey: id, displayName: `User ${id}`, data: '{}' } });
  }
}

const add = (members: MemberRef[]) => () => ({ write: null, deltas: [{ op: 'add', members }] as MemberDelta[] });
const members = async (repo: ReturnType<typeof createGroupsRepo>, tenantId: string, id: string) =>
  (await repo.get(tenantId, id, { members: true }))!.members!;

t.test('add: resolved in the tenant, idempotent, users in id order then groups', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', ['u3', 'u1', 'u2', 'u4']);
  await tenantWithUsers(db, 'O', ['o1']);
  const repo = createGroupsRepo(db);
  await repo.create('T', 'g', groupWrite({ displayName: 'G' }), []);
  await repo.create('T', 'sub', groupWrite({ displayName: 'Sub' }), []);

  await repo.update('T', 'g', add([{ value: 'u3' }, { value: 'u1' }]));
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u1', 'u3'], 'inserted in id order');

  // Existing members, a new user, a group untyped and a group typed: the rows the first INSERT
  // skips are resolved afterwards.
  await repo.update('T', 'g', add([{ value: 'u1' }, { value: 'sub' }, { value: 'u2' }, { value: 'u3' }]));
  t.same(await members(repo, 'T', 'g'), [
    { value: 'u1', type: 'User', display: 'User u1' },
    { value: 'u3', type: 'User', display: 'User u3' },
    { value: 'u2', type: 'User', display: 'User u2' },
    { value: 'sub', type: 'Group', display: 'Sub' },
  ]);
  await repo.update('T', 'g', add([{ value: 'sub', type: 'Group' }, { value: 'u2', type: 'User' }]));
  t.equal((await members(repo, 'T', 'g')).length, 4, 'adding members again changes nothing');

  const typedWrong = await repo.update('T', 'g', add([{ value: 'u4', type: 'Group' }])).catch((e: unknown) => e);
  t.match(typedWrong, ReferenceNotFound, 'a user named as a Group is not a Group');

  const foreign = await repo.update('T', 'g', add([{ value: 'u4' }, { value: 'o1' }])).catch((e: unknown) => e);
  t.ok(foreign instanceof ReferenceNotFound, 'another tenant\'s user is refused');
  t.match(foreign, { value: 'o1' });
  t.equal((await members(repo, 'T', 'g')).length, 4, 'and the user inserted before the refusal is rolled back');

  const self = await repo.update('T', 'sub', add([{ value: 'u4' }, { value: 'sub' }])).catch((e: unknown) => e);
  t.ok(self instanceof SelfReference);
  t.same(await members(repo, 'T', 'sub'), [], 'nothing added to the group that named itself');

  t.equal((await repo.get('T', 'g', { members: false }))!.version, 4, 'each successful add bumped the version once');
});

t.test('add: concurrent overlapping adds leave the union, each add acknowledged', async (t) => {
  const db = await freshDb(t);
  const ids = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
  await tenantWithUsers(db, 'T', ids);
  const repo = createGroupsRepo(db);
  await repo.create('T', 'g', groupWrite({ displayName: 'G' }), []);
  const refs = (from: number, to: number) => ids.slice(from, to).map((value) => ({ value }));
  const done = await Promise.all([repo.update('T', 'g', add(refs(0, 20))), repo.update('T', 'g', add(refs(10, 30))), repo.update('T', 'g', add(refs(5, 25)))]);
  t.same(done.map((r) => r.version).sort(), [2, 3, 4]);
  t.same((await members(repo, 'T', 'g')).map((m) => m.value).sort(), ids);
});

t.test('update: the document is written only when it changed', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', ['u1']);
  const repo = createGroupsRepo(db);
  await repo.create('T', 'g', groupWrite({ displayName: 'Sales', externalId: 'x1' }), []);
  const same = await repo.update('T', 'g', (cur) => ({ write: groupWrite(cur.data), deltas: [{ op: 'add', members: [{ value: 'u1' }] }] }));
  t.same(same.data, { displayName: 'Sales', externalId: 'x1' });
  t.equal(same.version, 2);

  const renamed = await repo.update('T', 'g', () => ({ write: groupWrite({ displayName: 'Sales EMEA', externalId: 'x1' }), deltas: [] }));
  t.same(renamed.data, { displayName: 'Sales EMEA', externalId: 'x1' });
  const row = await db.scimGroup.findUnique({ where: { id: 'g' } });
  t.match(row, { displayName: 'Sales EMEA', displayNameKey: 'sales emea', externalId: 'x1', version: 3 });

  await repo.update('T', 'g', () => ({ write: groupWrite({ displayName: 'Sales EMEA' }), deltas: [] }));
  t.match(await db.scimGroup.findUnique({ where: { id: 'g' } }), { externalId: null, data: '{"displayName":"Sales EMEA"}', version: 4 }, 'a column alone changed');
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u1']);
});

t.test('create: the record built from the write is the record read back', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', ['u1', 'u2']);
  const repo = createGroupsRepo(db);
  const bare = await repo.create('T', 'g1', groupWrite({ displayName: 'Bare', externalId: 'e1' }), []);
  t.same(bare, await repo.get('T', 'g1', { members: false }), 'the INSERT alone');
  const full = await repo.create('T', 'g2', groupWrite({ displayName: 'Full' }), [{ value: 'u2' }, { value: 'g1' }, { value: 'u1' }]);
  const read = await repo.get('T', 'g2', { members: true });
  t.same({ ...full, members: read!.members }, read, 'the INSERT and its members in one transaction');
  t.same(read!.members!.map((m) => m.value), ['u1', 'u2', 'g1']);
  const refused = await repo.create('T', 'g3', groupWrite({ displayName: 'Three' }), [{ value: 'u1' }, { value: 'g3' }]).catch((e: unknown) => e);
  t.ok(refused instanceof SelfReference, 'a group named as its own member is refused');
  t.equal(await repo.get('T', 'g3', { members: false }), null, 'and nothing of it is stored');
});

t.test('list: key lookups and the plain list as one statement, the same rows and totals as the general path', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', []);
  await tenantWithUsers(db, 'O', []);
  const repo = createGroupsRepo(db);
  await db.scimUser.create({ data: { id: 'u1', tenantId: 'T', userNameKey: 'u1', displayName: 'One', data: '{}' } });
  for (let i = 0; i < 7; i++) await repo.create('T', `g${i}`, groupWrite({ displayName: `Team ${i}` }), i % 3 === 0 ? [] : [{ value: 'u1' }, ...(i > 1 ? [{ value: 'g1' }] : [])]);
  await repo.create('O', 'o1', groupWrite({ displayName: 'Team 1' }), []);
  const orderBy = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  // The same filter wrapped in AND takes the general (compiled) path.
  const both = async (where: object, skip: number, take: number) => {
    const q = { where, orderBy, skip, take };
    const fast = await repo.list('T', { ...q, members: false });
    t.same(fast, await repo.list('T', { ...q, where: { AND: [where] }, members: false }), JSON.stringify(q));
    t.same(await repo.list('T', { ...q, members: true }), await repo.list('T', { ...q, where: { AND: [where] }, members: true }), `${JSON.stringify(q)} with members`);
    return fast;
  };
  const one = await both({ displayNameKey: { equals: 'team 1' } }, 0, 100);
  t.same(one.records.map((r) => r.id), ['g1'], 'displayName in this tenant only');
  t.type(one.records[0].createdAt, Date);
  t.equal((await both({ id: { equals: 'g2' } }, 0, 100)).records[0].data.displayName, 'Team 2');
  t.equal((await both({ id: { equals: 'o1' } }, 0, 100)).total, 0, 'another tenant\'s id is not found');
  t.equal((await both({ displayNameKey: { equals: 'team 3' } }, 0, 0)).total, 1, 'a count of a key');
  t.equal((await both({ displayNameKey: { equals: 'team 3' } }, 1, 1)).total, 1, 'a page past the only match counts it');
  t.equal((await both({}, 0, 0)).total, 7, 'the tenant\'s count');
  const page = await both({}, 2, 3);
  t.same([page.total, page.records.map((r) => r.id)], [7, ['g2', 'g3', 'g4']], 'a full page of the plain list counts the tenant');
  t.same((await both({}, 5, 5)).records.map((r) => r.id), ['g5', 'g6']);
  await both({ displayNameKey: { equals: 'team 1' }, externalId: { equals: 'x' } }, 0, 10);
});

t.test('get: the group and its members in one statement, in this tenant only', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', ['u1']);
  await tenantWithUsers(db, 'O', []);
  await db.scimUser.create({ data: { id: 'nameless', tenantId: 'T', userNameKey: 'nameless', data: '{}' } });
  const repo = createGroupsRepo(db);
  await repo.create('T', 'empty', groupWrite({ displayName: 'Empty' }), []);
  await repo.create('T', 'g', groupWrite({ displayName: 'G', externalId: 'e' }), [{ value: 'nameless' }, { value: 'u1' }, { value: 'empty' }]);
  await repo.create('O', 'o', groupWrite({ displayName: 'O' }), []);
  t.same(await repo.get('T', 'empty', { members: true }), { ...(await repo.get('T', 'empty', { members: false })), members: [] }, 'no member rows: an empty list');
  const g = await repo.get('T', 'g', { members: true });
  t.same(g!.members, [{ value: 'nameless', type: 'User' }, { value: 'u1', type: 'User', display: 'User u1' }, { value: 'empty', type: 'Group', display: 'Empty' }]);
  t.match(g, { id: 'g', version: 1, data: { displayName: 'G', externalId: 'e' } });
  t.type(g!.createdAt, Date);
  t.equal(await repo.get('T', 'o', { members: true }), null, 'another tenant\'s group');
  t.equal(await repo.get('T', 'o', { members: false }), null);
  t.equal(await repo.get('T', 'nope', { members: true }), null);
});

t.test('replace, remove all and remove by a value filter run as plain statements', async (t) => {
  const db = await freshDb(t);
  await tenantWithUsers(db, 'T', ['u1', 'u2', 'u3']);
  const repo = createGroupsRepo(db);
  await repo.create('T', 'sub', groupWrite({ displayName: 'Sub' }), []);
  await repo.create('T', 'g', groupWrite({ displayName: 'G' }), [{ value: 'u1' }, { value: 'u2' }, { value: 'sub' }]);
  const change = (deltas: MemberDelta[]) => repo.update('T', 'g', () => ({ write: null, deltas }));
  await change([{ op: 'removeWhere', filter: (m) => m.type === 'Group' }]);
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u1', 'u2'], 'the filter saw each member\'s type');
  await change([{ op: 'removeWhere', filter: (m) => m.display === 'User u2' }]);
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u1'], 'and its display');
  await change([{ op: 'replace', members: [{ value: 'u3' }, { value: 'sub' }] }]);
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u3', 'sub'], 'replace: only the new members');
  const refused = await change([{ op: 'replace', members: [{ value: 'u1' }, { value: 'gone' }] }]).catch((e: unknown) => e);
  t.ok(refused instanceof ReferenceNotFound);
  t.same((await members(repo, 'T', 'g')).map((m) => m.value), ['u3', 'sub'], 'a refused replace removed nothing');
  await change([{ op: 'removeAll' }]);
  t.same(await members(repo, 'T', 'g'), []);
  t.same((await members(repo, 'T', 'sub')), [], 'the other group untouched');
});
