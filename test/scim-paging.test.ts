// Deep pages (a deferred join past the first 1,000 rows) and the cached unfiltered total must give
// the same pages and exact totals as the shallow path, and see this process's writes at once.
import t from 'tap';
import { scimServer, userBody, groupBody } from './helpers/scim.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

t.test('deep pages and totals', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;
  const N = 1050;
  for (let from = 0; from < N; from += 525) {
    const r = await scim.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: Array.from({ length: 525 }, (_, k) => ({ method: 'POST', bulkId: `u${from + k}`, path: '/Users', data: userBody(`page${from + k}@x.test`) })),
    });
    t.equal(r.status, 200, 'bulk accepted');
    t.ok(r.json.Operations.every((o: { status: string }) => o.status === '201'), 'every user created');
  }
  const ids = async (q: string) => {
    const r = await scim.req('GET', `/Users?${q}`);
    t.equal(r.status, 200, q);
    return { total: r.json.totalResults as number, ids: r.json.Resources.map((u: { id: string }) => u.id) as string[] };
  };
  const first = await ids('startIndex=1&count=1000&attributes=userName');
  t.equal(first.total, N);
  const shallow = await ids('startIndex=951&count=100&attributes=userName');
  const deep = await ids('startIndex=1001&count=100&attributes=userName');
  t.equal(deep.total, N, 'exact total on a deep page');
  t.same(shallow.ids.slice(0, 50), first.ids.slice(950), 'shallow page continues the first');
  t.same(deep.ids, shallow.ids.slice(50), 'deep page continues the shallow one, same order');
  // The unfiltered page is one SQL query; sortBy=meta.created takes the general path with the same
  // order: both must answer byte for byte alike, shallow and deep.
  for (const q of ['startIndex=951&count=100', 'startIndex=1001&count=100', 'startIndex=1049&count=5', 'count=0']) {
    const fast = await scim.req('GET', `/Users?${q}`);
    const general = await scim.req('GET', `/Users?${q}&sortBy=meta.created`);
    t.same(fast.json, general.json, `${q}: same as the general path`);
  }
  const beyond = await ids('startIndex=2000&count=10');
  t.same([beyond.total, beyond.ids.length], [N, 0]);

  // The cached unfiltered total follows this process's own writes immediately.
  t.equal((await scim.req('DELETE', `/Users/${deep.ids[0]}`)).status, 204);
  t.equal((await ids('count=1')).total, N - 1, 'delete seen at once');
  t.equal((await ids('startIndex=1001&count=5')).total, N - 1);
  t.equal((await scim.req('POST', '/Users', userBody('late@x.test'))).status, 201);
  t.equal((await ids('count=0')).total, N, 'create seen at once');
  t.equal((await ids('count=2&filter=' + encodeURIComponent('userName sw "page2"'))).total, 111, 'filtered totals are counted, not cached');

  const groups = async () => (await scim.req('GET', '/Groups?count=1&excludedAttributes=members')).json.totalResults;
  t.equal(await groups(), 0);
  const g = (await scim.req('POST', '/Groups', groupBody('Paged'))).json;
  t.equal(await groups(), 1, 'group create seen at once');
  t.equal((await scim.req('DELETE', `/Groups/${g.id}`)).status, 204);
  t.equal(await groups(), 0, 'group delete seen at once');
});
