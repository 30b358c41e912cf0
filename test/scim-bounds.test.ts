// Attribute and resource bounds over HTTP (nothing of a refused request is stored), and pages
// bounded by bytes: fewer resources than `count`, a correct itemsPerPage, and pages chained by
// itemsPerPage that cover every resource once in order (Users, Groups, filtered, POST /.search).
import t, { type Test } from 'tap';
import { scimServer, userBody, groupBody, patchBody, ERROR_URN, type ScimResponse } from './helpers/scim.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PAGE = 16384;

function isScimError(t: Test, r: ScimResponse, status: number, scimType: string, detail: RegExp, msg: string) {
  t.equal(r.status, status, `${msg}: ${status}`);
  t.match(r.headers.get('content-type'), /^application\/scim\+json/, `${msg}: SCIM media type`);
  t.same([r.json?.schemas, r.json?.status, r.json?.scimType], [[ERROR_URN], String(status), scimType], `${msg}: SCIM error body`);
  t.match(r.json?.detail, detail, `${msg}: detail names the attribute and the limit`);
}

t.test('attribute and resource bounds', async (t) => {
  const { a } = await scimServer(t);
  const s = a.scim;
  const count = async () => (await s.req('GET', '/Users?count=0')).json.totalResults as number;

  // The reported case: a 1.9 MB displayName was accepted.
  isScimError(t, await s.req('POST', '/Users', userBody('big@x.test', { displayName: 'x'.repeat(1_900_000) })), 400, 'invalidValue', /"displayName" is 1900000 characters long; the maximum is 65536/, '1.9 MB displayName');
  isScimError(t, await s.req('POST', '/Users', userBody('u'.repeat(1025))), 400, 'invalidValue', /"userName" is 1025 characters long; the maximum is 1024/, 'userName');
  isScimError(t, await s.req('POST', '/Users', userBody('n@x.test', { name: { familyName: 'f'.repeat(70000) } })), 400, 'invalidValue', /"name\.familyName" .* 65536/, 'sub-attribute');
  isScimError(t, await s.req('POST', '/Users', userBody('e@x.test', { emails: Array.from({ length: 1001 }, (_, i) => ({ value: `e${i}@x.test` })) })), 400, 'invalidValue', /"emails" has 1001 values; the maximum is 1000/, 'emails');
  isScimError(
    t,
    await s.req('POST', '/Users', userBody('r@x.test', { displayName: 'd'.repeat(60000), nickName: 'n'.repeat(60000), title: 't'.repeat(60000) })),
    400,
    'invalidValue',
    /User resource is \d+ bytes as stored; the maximum is 131072/,
    'resource size',
  );
  isScimError(t, await s.req('POST', '/Groups', groupBody('g'.repeat(1025))), 400, 'invalidValue', /"displayName" is 1025 characters long; the maximum is 1024/, 'group displayName');
  t.equal(await count(), 0, 'nothing stored');

  // At the bounds: accepted, stored and returned intact.
  const max = await s.req('POST', '/Users', userBody('max@x.test', { displayName: 'x'.repeat(65536), [ENTERPRISE]: { department: 'd'.repeat(50000) } }));
  t.equal(max.status, 201, 'a 64 Ki displayName is accepted');
  t.equal((await s.req('GET', `/Users/${max.json.id}`)).json.displayName.length, 65536, 'and read back whole');

  // PATCH is bounded the same way: a value, and a list grown one add at a time.
  const p1 = await s.req('PATCH', `/Users/${max.json.id}`, patchBody({ op: 'replace', path: 'title', value: 't'.repeat(65537) }));
  isScimError(t, p1, 400, 'invalidValue', /"title" is 65537 characters long/, 'PATCH value');
  const u = (await s.req('POST', '/Users', userBody('grow@x.test', { emails: Array.from({ length: 1000 }, (_, i) => ({ value: `g${i}@x.test` })) }))).json;
  t.ok(u.id, '1,000 emails are accepted');
  const grow = await s.req('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'emails', value: [{ value: 'one-more@x.test' }] }));
  isScimError(t, grow, 400, 'invalidValue', /"emails" has 1001 values; the maximum is 1000/, 'PATCH add past the bound');
  t.equal((await s.req('GET', `/Users/${u.id}`)).json.emails.length, 1000, 'the user is unchanged');
  const pathless = await s.req('PATCH', `/Users/${max.json.id}`, patchBody({ op: 'replace', value: { nickName: 'n'.repeat(60000), title: 't'.repeat(60000) } }));
  isScimError(t, pathless, 400, 'invalidValue', /User resource is \d+ bytes as stored/, 'PATCH past the resource size');
  const put = await s.req('PUT', `/Users/${max.json.id}`, userBody('max@x.test', { displayName: 'y'.repeat(65537) }));
  isScimError(t, put, 400, 'invalidValue', /"displayName" is 65537 characters long/, 'PUT');
  t.equal((await s.req('GET', `/Users/${max.json.id}`)).json.displayName, 'x'.repeat(65536), 'PUT left the user unchanged');

  // Bulk: the bound is per operation, reported in that operation's response.
  const bulk = await s.req('POST', '/Bulk', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: [
      { method: 'POST', bulkId: 'ok', path: '/Users', data: userBody('bulk-ok@x.test') },
      { method: 'POST', bulkId: 'big', path: '/Users', data: userBody('bulk-big@x.test', { displayName: 'b'.repeat(70000) }) },
    ],
  });
  t.equal(bulk.status, 200);
  t.same(bulk.json.Operations.map((o: { status: string }) => o.status), ['201', '400'], 'one created, one refused');
  t.match(bulk.json.Operations[1].response, { status: '400', scimType: 'invalidValue', detail: /"displayName" is 70000 characters long/ });
});

t.test('the reported heap case: 40 of the largest users, one GET ?count=100', async (t) => {
  // Once 40 users of 1.9 MB each made this page exceed the 256 MB heap. Now a user is at most
  // 128 KiB and the page stops at the default 4 MiB budget.
  const { server, a } = await scimServer(t);
  t.equal(server.config.scim.pageMaxBytes, 4 * 1048576, 'default budget');
  const filler = (c: string) => c.repeat(60000);
  for (let i = 0; i < 40; i++) {
    const r = await a.scim.req('POST', '/Users', userBody(`heavy${String(i).padStart(2, '0')}@x.test`, { displayName: filler('d'), nickName: filler('n') }));
    t.equal(r.status, 201);
  }
  const page = await a.scim.req('GET', '/Users?count=100');
  t.equal(page.status, 200);
  t.equal(page.json.totalResults, 40);
  t.ok(page.json.itemsPerPage < 40, `the page holds ${page.json.itemsPerPage} of 40`);
  t.equal(page.json.Resources.length, page.json.itemsPerPage);
  t.ok(page.text.length <= 4 * 1048576, `and stays within 4 MiB (${page.text.length} bytes)`);
  const rest = await a.scim.req('GET', `/Users?count=100&startIndex=${1 + page.json.itemsPerPage}`);
  t.equal(page.json.itemsPerPage + rest.json.itemsPerPage, 40, 'the next page has the rest');
});

t.test('pages bounded by bytes', async (t) => {
  const { server, a } = await scimServer(t, { SCIM_PAGE_MAX_BYTES: String(PAGE) });
  const s = a.scim;
  t.equal(server.config.scim.pageMaxBytes, PAGE);
  // 12 users of ~3 KB: five fit in 16 KiB; one of ~20 KB is larger than a page on its own.
  const ids: string[] = [];
  for (let i = 0; i < 13; i++) {
    const r = await s.req('POST', '/Users', userBody(`pg${String(i).padStart(2, '0')}@x.test`, { displayName: (i === 6 ? 'W' : 'w').repeat(i === 6 ? 20000 : 3000) }));
    t.equal(r.status, 201);
    ids.push(r.json.id);
  }
  const first = await s.req('GET', '/Users?count=100');
  t.equal(first.status, 200);
  t.equal(first.json.totalResults, 13, 'totalResults counts every user');
  t.ok(first.json.itemsPerPage < 13 && first.json.itemsPerPage > 0, `fewer resources than asked (${first.json.itemsPerPage})`);
  t.equal(first.json.Resources.length, first.json.itemsPerPage, 'itemsPerPage is the number returned');
  t.ok(first.text.length < PAGE + 512, `the page stays near its budget (${first.text.length} bytes)`);

  const walk = async (path: string, method = 'GET', body?: Record<string, unknown>) => {
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let start = 1, n = 0; n < 60; n++) {
      const r = method === 'GET' ? await s.req('GET', `${path}${path.includes('?') ? '&' : '?'}startIndex=${start}&count=100`) : await s.req('POST', path, { ...body, startIndex: start, count: 100 });
      t.equal(r.status, 200, `${path} from ${start}`);
      t.equal(r.json.startIndex, start, 'startIndex echoed');
      t.equal(r.json.itemsPerPage, r.json.Resources.length);
      seen.push(...r.json.Resources.map((x: { id: string }) => x.id));
      sizes.push(r.json.itemsPerPage);
      if (r.json.itemsPerPage === 0 || start + r.json.itemsPerPage > r.json.totalResults) break;
      start += r.json.itemsPerPage;
    }
    return { seen, sizes };
  };
  const fast = await walk('/Users');
  t.same(fast.seen, ids, 'chained by itemsPerPage, the pages cover every user once, in order');
  t.ok(fast.sizes.includes(1), 'the oversized user comes on a page of its own');
  const general = await walk('/Users?sortBy=meta.created');
  t.same(general.seen, ids, 'the general query path pages the same way');
  const filtered = await walk(`/Users?filter=${encodeURIComponent('userName sw "pg"')}`);
  t.same(filtered.seen, ids, 'filtered pages too');
  const search = await walk('/Users/.search', 'POST', { filter: 'userName sw "pg"' });
  t.same(search.seen, ids, 'POST /Users/.search too');

  // Groups carry their members: bounded the same way.
  const gids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await s.req('POST', '/Groups', groupBody(`G${i} ${'g'.repeat(500)}`, { externalId: 'e'.repeat(500), members: ids.filter((_, k) => k !== 6).map((value) => ({ value })) }));
    t.equal(r.status, 201);
    gids.push(r.json.id);
  }
  const groups = await walk('/Groups');
  t.same(groups.seen, gids, 'group pages chained by itemsPerPage cover every group once');
  t.ok(groups.sizes.length > 1, `more than one page (${groups.sizes.join(', ')})`);
  const lean = await s.req('GET', '/Groups?count=100&excludedAttributes=members');
  t.equal(lean.json.itemsPerPage, 8, 'without members they all fit');

  // POST /.search across both types shares one budget and continues exactly where it stopped.
  const all = await walk('/.search', 'POST', {});
  t.same(all.seen, [...ids, ...gids], `root search pages cover users then groups once (${all.sizes.join(', ')})`);
});
