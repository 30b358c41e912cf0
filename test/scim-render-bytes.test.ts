// The exact bytes of User reads: a single GET, list pages (whole collection, userName lookup,
// deep page), POST /Users/.search, projections, and the root /.search. Rendering and serialising
// are tuned for speed (each resource serialised once, no copies of the stored document), so the
// expected bodies here are written out key by key: any change of key order, escaping or headers
// fails here before Entra sees it.
import t, { type Test } from 'tap';
import { scimServer, userBody, groupBody, patchBody, USER_URN, GROUP_URN, type ScimClient } from './helpers/scim.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Meta = { id: string; created: string; lastModified: string; version: string };

function metaOf(json: { id: string; meta: { created: string; lastModified: string; version: string } }): Meta {
  return { id: json.id, created: json.meta.created, lastModified: json.meta.lastModified, version: json.meta.version };
}

function meta(base: string, m: Meta) {
  return { resourceType: 'User', created: m.created, lastModified: m.lastModified, location: `${base}/Users/${m.id}`, version: m.version };
}

function checkHeaders(t: Test, r: { headers: Headers; text: string }, what: string) {
  t.equal(r.headers.get('content-type'), 'application/scim+json; charset=utf-8', `${what}: content-type`);
  t.equal(r.headers.get('content-length'), String(Buffer.byteLength(r.text)), `${what}: content-length`);
  t.equal(r.headers.get('x-content-type-options'), 'nosniff', `${what}: security headers`);
}

async function bytes(t: Test, scim: ScimClient, method: string, path: string, expected: unknown, body?: unknown) {
  const r = await scim.req(method, path, body);
  t.equal(r.status, 200, `${method} ${path}: status`);
  t.equal(r.text, JSON.stringify(expected), `${method} ${path}: exact bytes`);
  checkHeaders(t, r, `${method} ${path}`);
  return r;
}

t.test('User reads answer exactly these bytes', async (t) => {
  const { server, a } = await scimServer(t);
  const scim = a.scim;
  const base = `${server.url}/scim/v2`;
  const boss = (await scim.req('POST', '/Users', userBody('boss@x.test', { displayName: 'The "Boss" </script>' }))).json;
  const worker = (await scim.req('POST', '/Users', {
    schemas: [USER_URN, ENT],
    externalId: 'ext-1',
    userName: 'Zoë.𝒳@x.test',
    name: { givenName: 'Zoë', familyName: 'Ünïcode\u2028' },
    displayName: 'Zoë 𝒳',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'zoe@x.test' }],
    [ENT]: { department: 'R&D', manager: { value: boss.id } },
  })).json;
  const plain = (await scim.req('POST', '/Users', userBody('plain@x.test'))).json;
  const alpha = (await scim.req('POST', '/Groups', groupBody('Alpha & Ω'))).json;
  const beta = (await scim.req('POST', '/Groups', groupBody('Beta'))).json;
  for (const g of [beta, alpha]) {
    t.equal((await scim.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: worker.id }] }))).status, 204);
  }
  const b = metaOf(boss);
  const w = metaOf(worker);
  const p = metaOf(plain);

  const bossRes = { schemas: [USER_URN], id: b.id, meta: meta(base, b), userName: 'boss@x.test', active: true, displayName: 'The "Boss" </script>' };
  const workerGroups = [beta, alpha].map((g) => ({ value: g.id, $ref: `${base}/Groups/${g.id}`, display: g.displayName, type: 'direct' }));
  const workerRes = {
    schemas: [USER_URN, ENT],
    id: w.id,
    externalId: 'ext-1',
    meta: meta(base, w),
    userName: 'Zoë.𝒳@x.test',
    name: { givenName: 'Zoë', familyName: 'Ünïcode\u2028' },
    displayName: 'Zoë 𝒳',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'zoe@x.test' }],
    groups: workerGroups,
    [ENT]: { department: 'R&D', manager: { value: b.id, $ref: `${base}/Users/${b.id}`, displayName: 'The "Boss" </script>' } },
  };
  const plainRes = { schemas: [USER_URN], id: p.id, meta: meta(base, p), userName: 'plain@x.test', active: true };
  const list = (total: number, start: number, resources: unknown[]) => ({ schemas: [LIST], totalResults: total, itemsPerPage: resources.length, startIndex: start, Resources: resources });

  t.test('single GET', async (t) => {
    const r = await bytes(t, scim, 'GET', `/Users/${w.id}`, workerRes);
    t.equal(r.headers.get('etag'), w.version);
    await bytes(t, scim, 'GET', `/Users/${b.id}`, bossRes);
  });

  t.test('single GET with projections', async (t) => {
    const { groups: _g, ...noGroups } = workerRes;
    await bytes(t, scim, 'GET', `/Users/${w.id}?excludedAttributes=groups`, noGroups);
    await bytes(t, scim, 'GET', `/Users/${w.id}?attributes=userName,emails.value,${ENT}:manager`, {
      id: w.id,
      schemas: [USER_URN, ENT],
      userName: 'Zoë.𝒳@x.test',
      emails: [{ value: 'zoe@x.test' }],
      [ENT]: { manager: workerRes[ENT].manager },
    });
  });

  t.test('list pages', async (t) => {
    await bytes(t, scim, 'GET', '/Users', list(3, 1, [bossRes, workerRes, plainRes]));
    await bytes(t, scim, 'GET', '/Users?startIndex=2&count=1', list(3, 2, [workerRes]));
    await bytes(t, scim, 'GET', '/Users?startIndex=4&count=10', list(3, 4, []));
    await bytes(t, scim, 'GET', '/Users?count=0', list(3, 1, []));
    await bytes(t, scim, 'GET', `/Users?filter=${encodeURIComponent('userName eq "zoë.𝒳@X.test"')}`, list(1, 1, [workerRes]));
    await bytes(t, scim, 'GET', `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`, list(0, 1, []));
    await bytes(t, scim, 'GET', `/Users?filter=${encodeURIComponent('displayName sw "Zo"')}&excludedAttributes=groups,${ENT}`, list(1, 1, [
      { schemas: [USER_URN, ENT], id: w.id, externalId: 'ext-1', meta: meta(base, w), userName: 'Zoë.𝒳@x.test', name: workerRes.name, displayName: 'Zoë 𝒳', active: true, emails: workerRes.emails },
    ]));
  });

  t.test('searches', async (t) => {
    await bytes(t, scim, 'POST', '/Users/.search', list(3, 2, [workerRes, plainRes]), { startIndex: 2, count: 5 });
    const r = await scim.req('POST', '/.search', { startIndex: 3, count: 2, excludedAttributes: ['members'] });
    t.equal(r.status, 200);
    t.same(r.json.Resources[0], plainRes, 'root search: the user');
    t.equal(r.json.Resources[1].schemas[0], GROUP_URN, 'root search: then the groups');
    t.equal(r.text.slice(0, r.text.indexOf(',"Resources":')), JSON.stringify(list(5, 3, [{}, {}])).split(',"Resources":')[0], 'root search: envelope');
    t.ok(r.text.includes(JSON.stringify(plainRes)), 'root search: user bytes');
    checkHeaders(t, r, 'root search');
  });
});
