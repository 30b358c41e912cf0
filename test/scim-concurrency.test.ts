// Issue 3 item 7: uniqueness decided by the database under races; membership deltas lose nothing.
import t from 'tap';
import { scimServer, userBody, groupBody, patchBody } from './helpers/scim.ts';

t.test('concurrency', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;

  await t.test('simultaneous creates of one userName: exactly one 201', async (t) => {
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => scim.req('POST', '/Users', userBody(i % 2 ? `race${round}@x.test` : `RACE${round}@X.TEST`))));
      t.equal(rs.filter((r) => r.status === 201).length, 1, `round ${round}: one 201`);
      t.equal(rs.filter((r) => r.status === 409 && r.json.scimType === 'uniqueness').length, 7, 'others 409 uniqueness');
    }
    const gs = await Promise.all(Array.from({ length: 6 }, () => scim.req('POST', '/Groups', groupBody('Racing'))));
    t.equal(gs.filter((r) => r.status === 201).length, 1, 'one group 201');
  });

  await t.test('16 simultaneous membership PATCHes on one group lose nothing', async (t) => {
    const g = (await scim.req('POST', '/Groups', groupBody('Busy'))).json.id;
    const ids: string[] = [];
    for (let i = 0; i < 64; i++) ids.push((await scim.req('POST', '/Users', userBody(`busy${i}@x.test`))).json.id);
    const rs = await Promise.all(
      Array.from({ length: 16 }, (_, k) =>
        scim.req('PATCH', `/Groups/${g}`, patchBody({ op: 'Add', path: 'members', value: ids.slice(k * 4, k * 4 + 4).map((value) => ({ value })) })),
      ),
    );
    t.ok(rs.every((r) => r.status === 204), 'all 204');
    const got = await scim.req('GET', `/Groups/${g}`);
    t.equal(got.json.members.length, 64, 'all 64 members present');
    t.equal(got.json.meta.version, 'W/"17"', 'one version bump per PATCH');
    // Mixed concurrent adds and removes of disjoint members.
    const mixed = await Promise.all(
      Array.from({ length: 16 }, (_, k) =>
        k % 2
          ? scim.req('PATCH', `/Groups/${g}`, patchBody({ op: 'Remove', path: 'members', value: [{ value: ids[k] }] }))
          : scim.req('PATCH', `/Groups/${g}`, patchBody({ op: 'add', path: 'members', value: [{ value: ids[k] }] })),
      ),
    );
    t.ok(mixed.every((r) => r.status === 204));
    const after = await scim.req('GET', `/Groups/${g}`);
    t.equal(after.json.members.length, 64 - 8, 'exactly the removed ones are gone');
  });
});
