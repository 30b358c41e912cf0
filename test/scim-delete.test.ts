// DELETE of a User or Group as plain statements: without If-Match one DELETE naming tenant and id;
// with If-Match the version read, the check, and a DELETE that names that version, read again when
// a concurrent write changed the row in between. Real database (SQLite file or PostgreSQL schema).
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { scimServer, groupBody, userBody, ERROR_URN } from './helpers/scim.ts';
import type { Db } from '../src/db/client.ts';
import { createUsersRepo } from '../src/db/scim-users.ts';
import { createGroupsRepo } from '../src/db/scim-groups.ts';
import { deleteVersioned, type VersionedTable } from '../src/db/versioned-delete.ts';
import { Conflict } from '../src/db/errors.ts';
import { toWrite } from '../src/scim/users-service.ts';
import { groupWrite } from '../src/scim/groups-service.ts';
import { PreconditionFailedError } from '../src/scim/errors.ts';

async function seeded(t: { teardown(fn: () => unknown): void }) {
  const db = await freshDb(t);
  for (const id of ['ta', 'tb']) await db.tenant.create({ data: { id, domain: `${id}.test`, domainKey: `${id}.test`, name: id } });
  const users = createUsersRepo(db);
  const groups = createGroupsRepo(db);
  await users.create('ta', 'u1', toWrite({ userName: 'one', emails: [{ type: 'work', value: 'one@x.test' }] }));
  await users.create('tb', 'u1b', toWrite({ userName: 'one' }));
  await groups.create('ta', 'g1', groupWrite({ displayName: 'G' }), [{ value: 'u1' }]);
  return { db, users, groups };
}

/** Another request's write landing between the version read and the DELETE. */
function bump(db: Db, table: VersionedTable, id: string): Promise<number> {
  return table === 'ScimUser'
    ? db.$executeRaw`UPDATE "ScimUser" SET "version" = "version" + 1 WHERE "id" = ${id}`
    : db.$executeRaw`UPDATE "ScimGroup" SET "version" = "version" + 1 WHERE "id" = ${id}`;
}

const listCounter = async (db: Db) =>
  (await db.scimListCounter.findMany({ where: { tenantId: 'ta', resource: 'Group' } })).reduce((sum, c) => sum + Number(c.n), 0);

const rowCount = async (db: Db, table: VersionedTable, id: string) =>
  table === 'ScimUser' ? db.scimUser.count({ where: { id } }) : db.scimGroup.count({ where: { id } });

t.test('without If-Match: one statement, tenant-scoped, cascades', async (t) => {
  const { db, users, groups } = await seeded(t);
  t.equal(await users.remove('tb', 'u1'), false, "another tenant's id is not found");
  t.equal(await rowCount(db, 'ScimUser', 'u1'), 1, 'and the row stays');
  t.equal(await users.remove('ta', 'u1'), true);
  t.equal(await db.scimUserValue.count({ where: { userId: 'u1' } }), 0, 'value rows went by cascade');
  t.equal(await db.scimMember.count({ where: { groupId: 'g1' } }), 0, 'membership went by cascade');
  t.equal(await users.remove('ta', 'u1'), false, 'a second delete finds nothing');
  t.equal(await rowCount(db, 'ScimUser', 'u1b'), 1, "the other tenant's user is untouched");
  const before = await listCounter(db);
  t.equal(await groups.remove('ta', 'g1'), true);
  t.equal(await groups.remove('ta', 'g1'), false);
  t.not(await listCounter(db), before, "the list counter's trigger ran for the raw DELETE");
});

for (const table of ['ScimUser', 'ScimGroup'] as const) {
  const id = table === 'ScimUser' ? 'u1' : 'g1';

  t.test(`${table} with If-Match: the check sees the version, a refusal keeps the row`, async (t) => {
    const { db } = await seeded(t);
    const refuse = () => {
      throw new PreconditionFailedError('stale');
    };
    t.ok((await deleteVersioned(db, table, 'ta', id, refuse).catch((e: unknown) => e)) instanceof PreconditionFailedError, "the check's error, unchanged");
    t.equal(await rowCount(db, table, id), 1);
    t.equal(await deleteVersioned(db, table, 'tb', id, () => t.fail('no row of tenant tb to check')), false, 'another tenant: not found, unchecked');
    const seen: number[] = [];
    t.equal(await deleteVersioned(db, table, 'ta', id, (v) => void seen.push(v)), true);
    t.same(seen, [1]);
    t.equal(await deleteVersioned(db, table, 'ta', id, () => t.fail('nothing to check')), false);
  });

  t.test(`${table}: a write between the check and the DELETE makes it check the new version`, async (t) => {
    const { db } = await seeded(t);
    const seen: number[] = [];
    let pending: Promise<unknown> = Promise.resolve();
    const check = (v: number) => {
      seen.push(v);
      if (seen.length === 1) pending = bump(db, table, id);
    };
    const first = await deleteVersionedAfter(db, table, id, check, () => pending);
    t.equal(first, true, 'deleted at the version it checked second');
    t.same(seen, [1, 2], 'the stale DELETE changed no row, so the version was read again');
    t.equal(await rowCount(db, table, id), 0);
  });

  t.test(`${table}: a stale If-Match after a concurrent write is refused with the new version`, async (t) => {
    const { db } = await seeded(t);
    let pending: Promise<unknown> = Promise.resolve();
    const seen: number[] = [];
    const check = (v: number) => {
      seen.push(v);
      if (v !== 1) throw new PreconditionFailedError(`now ${v}`);
      pending = bump(db, table, id);
    };
    await t.rejects(deleteVersionedAfter(db, table, id, check, () => pending), { message: 'now 2' });
    t.same(seen, [1, 2]);
    t.equal(await rowCount(db, table, id), 1, 'the row stays');
  });

  t.test(`${table}: a delete between the check and the DELETE is not found`, async (t) => {
    const { db } = await seeded(t);
    let pending: Promise<unknown> = Promise.resolve();
    const check = () => {
      pending = deleteVersioned(db, table, 'ta', id);
    };
    t.equal(await deleteVersionedAfter(db, table, id, check, () => pending), false);
  });

  t.test(`${table}: a row that keeps changing ends in Conflict, not a loop`, async (t) => {
    const { db } = await seeded(t);
    let pending: Promise<unknown> = Promise.resolve();
    let checks = 0;
    const check = () => {
      checks++;
      pending = bump(db, table, id);
    };
    t.ok((await deleteVersionedAfter(db, table, id, check, () => pending).catch((e: unknown) => e)) instanceof Conflict);
    t.equal(checks, 8);
    t.equal(await rowCount(db, table, id), 1);
  });
}

/** deleteVersioned on the same database whose every DELETE first waits for what the check started:
 * the check is synchronous, so the concurrent write it starts must be let in before the DELETE. */
async function deleteVersionedAfter(db: Db, table: VersionedTable, id: string, check: (v: number) => void, started: () => Promise<unknown>) {
  const gated = new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== '$executeRaw' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        await started();
        return (v as (...a: unknown[]) => Promise<number>).apply(target, args);
      };
    },
  });
  return deleteVersioned(gated, table, 'ta', id, check);
}

t.test('over HTTP: status codes and error bodies are unchanged', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;
  const u = await scim.req('POST', '/Users', userBody('del@x.test'));
  const g = await scim.req('POST', '/Groups', groupBody('Del', { members: [{ value: u.json.id }] }));
  const stale = await scim.req('DELETE', `/Users/${u.json.id}`, undefined, { 'if-match': 'W/"42"' });
  t.equal(stale.status, 412);
  t.same(stale.json, { schemas: [ERROR_URN], status: '412', detail: `If-Match W/"42" does not match the current version ${u.headers.get('etag')}` });
  t.equal((await scim.req('DELETE', `/Users/${u.json.id}`, undefined, { 'if-match': '*' })).status, 204);
  t.same((await scim.req('GET', `/Groups/${g.json.id}`)).json.members ?? [], [], 'the membership went with the user');
  const again = await scim.req('DELETE', `/Users/${u.json.id}`, undefined, { 'if-match': '*' });
  t.same([again.status, again.json.detail], [404, `User ${u.json.id} not found`]);
  t.equal((await scim.req('DELETE', `/Groups/${g.json.id}`, undefined, { 'if-match': g.headers.get('etag')! })).status, 204);
  const gone = await scim.req('DELETE', `/Groups/${g.json.id}`);
  t.same([gone.status, gone.json.detail], [404, `Group ${g.json.id} not found`]);
});
