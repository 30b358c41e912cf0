// Bulk (RFC 7644 §3.7): bulkId references, failOnErrors, limits with 413.
import t from 'tap';
import { scimServer, userBody, groupBody, patchBody } from './helpers/scim.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

t.test('bulk', async (t) => {
  const { a } = await scimServer(t, { SCIM_BULK_MAX_OPERATIONS: '10', SCIM_BULK_MAX_PAYLOAD_BYTES: '4096' });
  const scim = a.scim;

  await t.test('bulkId references in paths and member values, forward references', async (t) => {
    const r = await scim.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'grp', path: '/Groups', data: groupBody('Bulk G', { members: [{ value: 'bulkId:u1' }] }) },
        { method: 'POST', bulkId: 'u1', path: '/Users', data: userBody('bulk1@x.test') },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: patchBody({ op: 'replace', path: 'title', value: 'T' }) },
        { method: 'post', bulkId: 'u2', path: '/Users', data: userBody('bulk2@x.test') },
        { method: 'PATCH', path: '/Groups/bulkId:grp', data: patchBody({ op: 'add', path: 'members', value: [{ value: 'bulkId:u2' }] }) },
      ],
    });
    t.equal(r.status, 200);
    t.same(r.json.schemas, ['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    t.same(r.json.Operations.map((o: any) => o.status), ['201', '201', '200', '201', '200']);
    const gid = r.json.Operations[0].location.split('/').pop();
    const u1 = r.json.Operations[1].location.split('/').pop();
    const g = await scim.req('GET', `/Groups/${gid}`);
    t.equal(g.json.members.length, 2, 'forward reference resolved');
    t.ok(g.json.members.some((m: any) => m.value === u1));
    t.equal((await scim.req('GET', `/Users/${u1}`)).json.title, 'T');
  });

  await t.test('errors per operation and failOnErrors', async (t) => {
    const r = await scim.req('POST', '/Bulk', {
      schemas: [BULK],
      failOnErrors: 2,
      Operations: [
        { method: 'POST', bulkId: 'd1', path: '/Users', data: userBody('bulk1@x.test') },
        { method: 'DELETE', path: '/Users/does-not-exist' },
        { method: 'POST', bulkId: 'ok', path: '/Users', data: userBody('never@x.test') },
      ],
    });
    t.equal(r.status, 200);
    t.equal(r.json.Operations.length, 2, 'stopped after 2 errors');
    t.equal(r.json.Operations[0].status, '409');
    t.equal(r.json.Operations[0].response.scimType, 'uniqueness');
    t.equal(r.json.Operations[1].status, '404');
    t.equal((await scim.req('GET', '/Users?filter=userName+eq+%22never%40x.test%22')).json.totalResults, 0);
    const circ = await scim.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'x', path: '/Groups', data: groupBody('X', { members: [{ value: 'bulkId:y' }] }) },
        { method: 'POST', bulkId: 'y', path: '/Groups', data: groupBody('Y', { members: [{ value: 'bulkId:x' }] }) },
      ],
    });
    t.same(circ.json.Operations.map((o: any) => o.status), ['409', '409'], 'circular references');
    const bad = await scim.req('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'GET', path: '/Users' }, { method: 'PUT', path: '/Nope/1', data: {} }] });
    t.same(bad.json.Operations.map((o: any) => o.status), ['400', '400']);
  });

  await t.test('limits: maxOperations and maxPayloadSize → 413', async (t) => {
    const many = await scim.req('POST', '/Bulk', { schemas: [BULK], Operations: Array.from({ length: 11 }, (_, i) => ({ method: 'POST', path: '/Users', data: userBody(`m${i}@x.test`) })) });
    t.equal(many.status, 413);
    t.equal(many.json.status, '413');
    const big = await scim.req('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', data: userBody('big@x.test', { title: 'x'.repeat(5000) }) }] });
    t.equal(big.status, 413);
    const syntax = await scim.req('POST', '/Bulk', { schemas: [BULK] });
    t.equal(syntax.status, 400);
    const disc = await scim.req('GET', '/ServiceProviderConfig');
    t.equal(disc.json.bulk.maxOperations, 10, 'advertised');
    t.equal(disc.json.bulk.maxPayloadSize, 4096);
  });
});
