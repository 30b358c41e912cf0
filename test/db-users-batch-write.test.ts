// A user update whose value rows change in place (Entra's default PATCH: the work email's value,
// name.familyName, active) is written as one batch transaction after a read outside it. What
// must hold on both databases: the value rows always match the stored document, a stale read
// writes nothing, groups and the manager's displayName come back as a separate read gives them,
// and every other update (rows that come or go, a new manager, a lost race) still succeeds
// through the interactive transaction. Real database (SQLite file, or PostgreSQL schema).
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { createUsersRepo, inPlaceChanges, writeInBatch, type UserRecord } from '../src/db/scim-users.ts';
import { ReferenceNotFound } from '../src/db/errors.ts';
import { boundedWrite, toWrite } from '../src/scim/users-service.ts';
import type { Db } from '../src/db/client.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const db = await freshDb(t);
  await db.tenant.create({ data: { id: 'ta', domain: 'a.test', domainKey: 'a.test', name: 'a' } });
  return { db, repo: createUsersRepo(db) };
}

/** The stored value rows of a user, as the write derived them (no ids, in a stable order). */
async function storedValues(db: Db, userId: string) {
  const rows = await db.scimUserValue.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  return rows.map(({ id: _id, tenantId: _t, userId: _u, ...v }) => v);
}

/** The value rows the stored document implies, in the same shape. */
async function impliedValues(db: Db, userId: string) {
  const row = await db.scimUser.findUniqueOrThrow({ where: { id: userId } });
  return toWrite(JSON.parse(row.data)).values;
}

const withEmail = (doc: Record<string, unknown>, value: string) => ({ ...doc, emails: [{ type: 'work', primary: true, value }] });

t.test('an in-place email change is one batch and leaves rows matching the document', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one', active: true }, 'old@a.test')));
  const rec = await repo.update('ta', 'u1', (cur) => ({ ...boundedWrite(withEmail({ ...cur.data, active: false }, 'New@a.test')), oldValues: toWrite(cur.data).values }));
  t.equal(rec.version, 2);
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), 'value rows follow the document');
  t.equal((await storedValues(db, 'u1')).length, 1, 'the row was changed, not added');
  t.equal((await repo.findPage('ta', { kind: 'value', attr: 'emails', valueKey: 'new@a.test' }, { skip: 0, take: 10, groups: false })).total, 1);
  t.equal((await repo.findPage('ta', { kind: 'value', attr: 'emails', valueKey: 'old@a.test' }, { skip: 0, take: 10, groups: false })).total, 0);
  t.equal((await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } })).active, false);
});

t.test('a value row with NULL columns is found and changed in place', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'u1', toWrite({ userName: 'one', emails: [{ value: 'untyped@a.test' }] }));
  const before = await storedValues(db, 'u1');
  t.equal(before[0].typeKey, null);
  await repo.update('ta', 'u1', (cur) => ({ ...toWrite({ ...cur.data, emails: [{ value: 'untyped@a.test', type: 'work' }] }), oldValues: toWrite(cur.data).values }));
  const after = await storedValues(db, 'u1');
  t.equal(after.length, 1);
  t.equal(after[0].typeKey, 'work');
  t.same(after, await impliedValues(db, 'u1'));
});

t.test('a stale read writes nothing, whatever the winner wrote', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one' }, 'a@a.test')));
  const stale = (await repo.get('ta', 'u1', { groups: false })) as UserRecord;
  const mine = withEmail({ userName: 'one', displayName: 'Mine' }, 'mine@a.test');
  const change = inPlaceChanges(toWrite(stale.data).values, toWrite(mine).values)!;
  t.equal(change.length, 1);

  // The winner keeps the email, so without the guard the stale row UPDATE would find its row.
  await repo.update('ta', 'u1', (cur) => ({ ...toWrite({ ...cur.data, displayName: 'Theirs' }), oldValues: toWrite(cur.data).values }));
  t.equal(await writeInBatch(db, 'ta', stale, toWrite(mine), change), null, 'a different winner: nothing written');
  const row = await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } });
  t.equal(row.version, 2);
  t.equal(JSON.parse(row.data).displayName, 'Theirs');
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), "the winner's rows stay");
  t.equal((await storedValues(db, 'u1'))[0].valueKey, 'a@a.test');

  // A winner that stored this very document: the guarded row UPDATE finds no old row to change.
  const again = (await repo.get('ta', 'u1', { groups: false })) as UserRecord;
  const same = withEmail({ userName: 'one' }, 'same@a.test');
  const sameChange = inPlaceChanges(toWrite(again.data).values, toWrite(same).values)!;
  await repo.update('ta', 'u1', () => ({ ...toWrite(same), json: JSON.stringify(same), oldValues: toWrite(again.data).values }));
  t.equal(await writeInBatch(db, 'ta', again, { ...toWrite(same), json: JSON.stringify(same) }, sameChange), null);
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), 'one row, as the document says');
  t.equal((await storedValues(db, 'u1')).length, 1);
});

t.test('groups and the manager come back from the same read', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'boss', toWrite({ userName: 'boss', displayName: 'The Boss' }));
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one', [ENTERPRISE]: { manager: { value: 'boss' } } }, 'a@a.test')));
  for (const [id, name] of [['g1', 'Staff'], ['g2', 'Ops']]) {
    await db.scimGroup.create({ data: { id, tenantId: 'ta', displayNameKey: name.toLowerCase(), displayName: name, data: '{}' } });
    await db.scimMember.create({ data: { tenantId: 'ta', groupId: id, userId: 'u1' } });
  }
  const patch = (groups: boolean) =>
    repo.update('ta', 'u1', (cur) => ({ ...toWrite(withEmail(cur.data, `v${cur.version}@a.test`)), oldValues: toWrite(cur.data).values }), { groups });
  const rec = await patch(true);
  t.same(rec.groups, [{ value: 'g1', display: 'Staff' }, { value: 'g2', display: 'Ops' }]);
  t.equal(rec.managerDisplayName, 'The Boss');
  t.equal(rec.managerId, 'boss');
  const without = await patch(false);
  t.equal(without.groups, undefined, 'no groups asked, none read');
  t.equal(without.version, 3);
  const fresh = await repo.get('ta', 'u1', { groups: true });
  t.same(fresh?.groups, rec.groups);
});

t.test('updates the batch does not take still succeed', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'boss', toWrite({ userName: 'boss', displayName: 'Boss' }));
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one' }, 'a@a.test')));
  const update = (doc: (cur: Record<string, unknown>) => Record<string, unknown>) =>
    repo.update('ta', 'u1', (cur) => ({ ...toWrite(doc(cur.data)), oldValues: toWrite(cur.data).values }));

  const added = await update((d) => ({ ...d, emails: [...(d.emails as object[]), { type: 'home', value: 'b@a.test' }] }));
  t.equal(added.version, 2);
  t.equal((await storedValues(db, 'u1')).length, 2, 'a row added');
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'));

  const swapped = await update((d) => ({ ...d, emails: [...(d.emails as object[])].reverse() }));
  t.equal(swapped.version, 3);
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), 'rows that move are rewritten');

  const managed = await update((d) => ({ ...d, [ENTERPRISE]: { manager: { value: 'boss' } } }));
  t.equal(managed.managerDisplayName, 'Boss', 'a new manager is checked and shown');
  await t.rejects(update((d) => ({ ...d, [ENTERPRISE]: { manager: { value: 'nobody' } } })), ReferenceNotFound);
  t.equal((await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } })).version, 4, 'the refused manager changed nothing');
});

t.test('simultaneous in-place updates of one user all land, rows matching the last', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one' }, 'a@a.test')));
  let calls = 0;
  const n = 12;
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      repo.update('ta', 'u1', (cur) => {
        calls++;
        return { ...toWrite(withEmail({ ...cur.data, nickName: `n${i}` }, `p${i}@a.test`)), oldValues: toWrite(cur.data).values };
      }),
    ),
  );
  const row = await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } });
  t.equal(row.version, n + 1, 'no update lost');
  t.ok(calls >= n, 'each ran at least once');
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), 'rows match the final document');
  t.equal((await storedValues(db, 'u1')).length, 1);
});

t.test('inPlaceChanges: only changes an UPDATE can find by content', async (t) => {
  const row = (attr: string, valueKey: string | null, typeKey: string | null = 'work') => ({ attr, typeKey, valueKey, primary: false });
  t.same(inPlaceChanges([row('emails', 'a')], [row('emails', 'a')]), [], 'nothing changed');
  t.same(inPlaceChanges([row('emails', 'a')], [row('emails', 'b')]), [{ from: row('emails', 'a'), to: row('emails', 'b') }]);
  t.equal(inPlaceChanges([row('emails', 'a')], [row('emails', 'a'), row('emails', 'b')]), null, 'a row added');
  t.equal(inPlaceChanges([row('emails', 'a')], [row('phoneNumbers', 'a')]), null, 'another attribute');
  t.equal(inPlaceChanges([row('emails', 'a'), row('emails', 'b')], [row('emails', 'b'), row('emails', 'a')]), null, 'rows swapped');
  t.equal(inPlaceChanges([row('emails', 'a'), row('emails', 'a')], [row('emails', 'a'), row('emails', 'c')]), null, 'the old row is not unique');
  t.same(
    inPlaceChanges([row('emails', 'a'), row('emails', 'b')], [row('emails', 'c'), row('emails', 'c')]),
    [{ from: row('emails', 'a'), to: row('emails', 'c') }, { from: row('emails', 'b'), to: row('emails', 'c') }],
    'two rows becoming alike: each UPDATE still finds its one old row',
  );
  t.same(inPlaceChanges([row('emails', 'a', null)], [row('emails', 'a', 'work')]), [{ from: row('emails', 'a', null), to: row('emails', 'a', 'work') }], 'a NULL column found by IS NULL');
});

t.test('a create leaves out only the columns empty in every row', async (t) => {
  const { db, repo } = await setup(t);
  // typeKey is NULL in the first row only: the column stays in the multi-row INSERT.
  await repo.create('ta', 'u1', toWrite({ userName: 'one', emails: [{ value: 'a@a.test' }, { value: 'b@a.test', type: 'work', primary: true }] }));
  const rows = await storedValues(db, 'u1');
  t.same(rows, await impliedValues(db, 'u1'));
  t.same(rows.map((r) => [r.typeKey, r.primary]), [[null, false], ['work', true]]);
  const user = await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } });
  t.equal(user.externalId, null, 'an absent attribute is NULL');
  t.equal(user.active, true);
});

t.test('an update that adds rows starts its transaction from the read made before it', async (t) => {
  const { db, repo } = await setup(t);
  await repo.create('ta', 'boss', toWrite({ userName: 'boss', displayName: 'Boss' }));
  await repo.create('ta', 'u1', toWrite(withEmail({ userName: 'one', [ENTERPRISE]: { manager: { value: 'boss' } } }, 'a@a.test')));
  await db.scimGroup.create({ data: { id: 'g1', tenantId: 'ta', displayNameKey: 'staff', displayName: 'Staff', data: '{}' } });
  await db.scimMember.create({ data: { tenantId: 'ta', groupId: 'g1', userId: 'u1' } });
  const add = (i: number) =>
    repo.update('ta', 'u1', (cur) => ({ ...toWrite({ ...cur.data, emails: [...(cur.data.emails as object[]), { type: 'other', value: `e${i}@a.test` }] }), oldValues: toWrite(cur.data).values }), { groups: true });
  const rec = await add(0);
  t.same(rec.groups, [{ value: 'g1', display: 'Staff' }], 'groups from the read before the transaction');
  t.equal(rec.managerDisplayName, 'Boss');
  // Simultaneous adds: all but one first attempt start from a stale read, lose the version and read again.
  const n = 8;
  await Promise.all(Array.from({ length: n }, (_, i) => add(i + 1)));
  const row = await db.scimUser.findUniqueOrThrow({ where: { id: 'u1' } });
  t.equal(row.version, n + 2, 'no update lost');
  t.equal((JSON.parse(row.data).emails as unknown[]).length, n + 2, 'every add kept');
  t.same(await storedValues(db, 'u1'), await impliedValues(db, 'u1'), 'rows match the document');
});
