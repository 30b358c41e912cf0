// GET /Groups and /Users at deep startIndex values go through position checkpoints and answer
// exactly the resources of the plain walk, also right after a delete moved every later position.
import { test } from 'tap';
import { scimServer, groupBody, userBody, type ScimClient } from './helpers/scim.ts';
import { checkpointsHeld } from '../src/db/deep-page.ts';
import type { Db } from '../src/db/client.ts';

async function pageIds(scim: ScimClient, path: string, startIndex: number, count: number): Promise<string[]> {
  const r = await scim.req('GET', `${path}${path.includes('?') ? '&' : '?'}startIndex=${startIndex}&count=${count}`);
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return (r.json.Resources as { id: string }[]).map((x) => x.id);
}

test('Groups and Users: deep pages equal the walk, before and after a delete', async (t) => {
  const { server, a } = await scimServer(t, { SCIM_RATE_LIMIT: 'off' });
  const db = (server.app as unknown as { db: Db }).db;
  const N = 1150;
  // One real resource of each kind through HTTP; the rest are copies of its stored row (fresh ids
  // and keys), which is all a page reads, so the test stays fast on a loaded machine.
  const g0 = await a.scim.req('POST', '/Groups', groupBody('Group template'));
  const u0 = await a.scim.req('POST', '/Users', userBody('template@example.test'));
  t.equal(g0.status, 201);
  t.equal(u0.status, 201);
  const tenantId = (await db.tenant.findFirstOrThrow({ where: { domainKey: a.domain } })).id;
  const gRow = await db.scimGroup.findUniqueOrThrow({ where: { id: g0.json.id } });
  const uRow = await db.scimUser.findUniqueOrThrow({ where: { id: u0.json.id } });
  const at = (i: number) => new Date(gRow.createdAt.getTime() + 1000 + i * 7);
  for (let s = 0; s < N; s += 500) {
    const n = Math.min(500, N - s);
    await db.scimGroup.createMany({ data: Array.from({ length: n }, (_, k) => ({ ...gRow, id: `g-${s + k}`, displayNameKey: `group ${s + k}`, createdAt: at(s + k) })) });
    await db.scimUser.createMany({ data: Array.from({ length: n }, (_, k) => ({ ...uRow, id: `u-${s + k}`, userNameKey: `user${s + k}@example.test`, externalId: null, createdAt: at(s + k) })) });
  }
  const order = { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }], select: { id: true } };
  const groupsWalk = async (skip: number, take: number) => (await db.scimGroup.findMany({ where: { tenantId }, skip, take, ...order })).map((r) => r.id);
  const usersWalk = async (skip: number, take: number) => (await db.scimUser.findMany({ where: { tenantId }, skip, take, ...order })).map((r) => r.id);

  t.same(await pageIds(a.scim, '/Groups?excludedAttributes=members', 1101, 30), await groupsWalk(1100, 30), 'groups at startIndex 1101');
  t.equal(checkpointsHeld(db, 'Group', tenantId), 1, 'reached from a checkpoint');
  t.same(await pageIds(a.scim, '/Users', 1001, 100), await usersWalk(1000, 100), 'users at startIndex 1001');
  t.equal(checkpointsHeld(db, 'User', tenantId), 1, 'users too');

  const gone = (await groupsWalk(10, 1))[0];
  t.equal((await a.scim.req('DELETE', `/Groups/${gone}`)).status, 204);
  t.same(await pageIds(a.scim, '/Groups?excludedAttributes=members', 1001, 200), await groupsWalk(1000, 200), 'every later group moved up by one');
  const goneUser = (await usersWalk(3, 1))[0];
  t.equal((await a.scim.req('DELETE', `/Users/${goneUser}`)).status, 204);
  t.same(await pageIds(a.scim, '/Users', 1050, 100), await usersWalk(1049, 100), 'every later user moved up by one');
});
