// Smaller SCIM holes, each answered with a SCIM 4xx and never a 5xx: manager.value naming another
// tenant's user (checked like group members, with no existence leak), prototype names in query
// parameters, paths and bodies (and no prototype pollution of this process, which runs the
// server), lone surrogates, deeply nested bodies, and URLs the router rejects (bad
// percent-encoding, over-long path segments).
import t, { type Test } from 'tap';
import { scimServer, tenantWithToken, userBody, groupBody, patchBody, ERROR_URN, type ScimResponse } from './helpers/scim.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';


function scimError(t: Test, r: ScimResponse, status: number, scimType: string | undefined, msg: string) {
  t.equal(r.status, status, `${msg}: ${status}`);
  t.match(r.headers.get('content-type'), /^application\/scim\+json/, `${msg}: SCIM media type`);
  t.same([r.json?.schemas, r.json?.status, r.json?.scimType], [[ERROR_URN], String(status), scimType], `${msg}: SCIM error body`);
}

const unpolluted = (t: Test, msg: string) => {
  const o = {} as Record<string, unknown>;
  t.same([o.polluted, o.x, o.givenName, Object.getPrototypeOf(o) === Object.prototype], [undefined, undefined, undefined, true], `${msg}: no prototype pollution`);
};

t.test('manager.value is checked like members', async (t) => {
  const { server, a } = await scimServer(t);
  const b = await tenantWithToken(server, 'tenant-b');
  const boss = (await a.scim.req('POST', '/Users', userBody('boss@a.test'))).json;
  const foreign = (await b.scim.req('POST', '/Users', userBody('boss@b.test'))).json;

  const ok = await a.scim.req('POST', '/Users', userBody('emp@a.test', { [ENTERPRISE]: { manager: boss.id } }));
  t.equal(ok.status, 201, 'a manager of the same tenant is accepted');
  t.equal(ok.json[ENTERPRISE].manager.value, boss.id);

  const cross = await a.scim.req('POST', '/Users', userBody('x@a.test', { [ENTERPRISE]: { manager: foreign.id } }));
  scimError(t, cross, 400, 'invalidValue', "another tenant's user");
  t.equal(cross.json.detail, `manager value "${foreign.id}" is not a User in this tenant`);
  const none = await a.scim.req('POST', '/Users', userBody('y@a.test', { [ENTERPRISE]: { manager: 'f3c1f0de-0000-4000-8000-000000000000' } }));
  scimError(t, none, 400, 'invalidValue', 'an id that exists nowhere');
  t.equal(none.json.detail.replace(/"[^"]+"/, '"…"'), cross.json.detail.replace(/"[^"]+"/, '"…"'), 'the same answer: existence in another tenant does not leak');
  t.equal((await a.scim.req('GET', `/Users?filter=${encodeURIComponent('userName eq "x@a.test"')}&count=0`)).json.totalResults, 0, 'nothing stored');

  const emp = ok.json;
  for (const value of [foreign.id, { value: foreign.id }, [{ value: foreign.id, $ref: null }]]) {
    const p = await a.scim.req('PATCH', `/Users/${emp.id}`, patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value }));
    scimError(t, p, 400, 'invalidValue', `PATCH manager to another tenant's user (${JSON.stringify(value).slice(0, 12)})`);
  }
  const pathless = await a.scim.req('PATCH', `/Users/${emp.id}`, patchBody({ op: 'replace', value: { [`${ENTERPRISE}:manager`]: foreign.id } }));
  scimError(t, pathless, 400, 'invalidValue', 'path-less PATCH');
  scimError(t, await a.scim.req('PUT', `/Users/${emp.id}`, userBody('emp@a.test', { [ENTERPRISE]: { manager: foreign.id } })), 400, 'invalidValue', 'PUT');
  t.equal((await a.scim.req('GET', `/Users/${emp.id}`)).json[ENTERPRISE].manager.value, boss.id, 'the manager is unchanged');
  const bulk = await a.scim.req('POST', '/Bulk', { Operations: [{ method: 'PATCH', path: `/Users/${emp.id}`, data: patchBody({ op: 'replace', path: `${ENTERPRISE}:manager`, value: foreign.id }) }] });
  t.equal(bulk.json.Operations[0].status, '400', 'Bulk PATCH refused too');

  // A manager deleted since does not block other edits of the user; clearing it works.
  t.equal((await a.scim.req('DELETE', `/Users/${boss.id}`)).status, 204);
  const later = await a.scim.req('PATCH', `/Users/${emp.id}`, patchBody({ op: 'replace', path: 'displayName', value: 'Still here' }));
  t.equal(later.status, 200, 'unrelated PATCH on a user whose manager was deleted');
  const cleared = await a.scim.req('PATCH', `/Users/${emp.id}`, patchBody({ op: 'remove', path: `${ENTERPRISE}:manager` }));
  t.equal(cleared.status, 200, 'manager removed');
  t.notOk(cleared.json[ENTERPRISE]?.manager, 'gone');
});

t.test('prototype names, lone surrogates, nesting, router errors', async (t) => {
  const { server, a } = await scimServer(t);
  const s = a.scim;
  const u = (await s.req('POST', '/Users', userBody('proto@x.test'))).json;
  const g = (await s.req('POST', '/Groups', groupBody('Proto'))).json;

  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', '__defineGetter__']) {
    for (const type of ['Users', 'Groups']) {
      scimError(t, await s.req('GET', `/${type}?sortBy=${name}`), 400, 'invalidValue', `${type} sortBy=${name}`);
      scimError(t, await s.req('GET', `/${type}?filter=${encodeURIComponent(`${name} eq "x"`)}`), 400, 'invalidFilter', `${type} filter ${name} eq "x"`);
      scimError(t, await s.req('POST', `/${type}/.search`, { filter: `${name} pr` }), 400, 'invalidFilter', `${type}/.search ${name} pr`);
      const proj = await s.req('GET', `/${type}?attributes=${name}&excludedAttributes=${name}`);
      if (name.startsWith('_')) scimError(t, proj, 400, 'invalidValue', `${type} attributes=${name} is not an attribute name`);
      else t.equal(proj.status, 200, `${type} attributes=${name} is a well-formed unknown attribute, ignored`);
      if (name.startsWith('_')) t.match(proj.json.detail, /"__\w+" is not an attribute name/);
    }
    scimError(t, await s.req('GET', `/Users?filter=${encodeURIComponent(`emails[${name} eq "x"]`)}`), 400, 'invalidFilter', `value path ${name}`);
    scimError(t, await s.req('POST', '/.search', { filter: `name.${name} eq "x"`, sortBy: name }), 400, 'invalidFilter', `/.search ${name}`);
    const p = await s.req('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: name, value: { polluted: 1 } }));
    scimError(t, p, 400, 'invalidPath', `PATCH path ${name}`);
    const gp = await s.req('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: `members[${name} eq "x"]`, value: 1 }));
    t.equal(gp.status, 400, `group PATCH path members[${name}…]`);
  }
  // "__proto__" as a member name anywhere in a body: 400 invalidSyntax, never a prototype change.
  const protoBodies: [string, string, string][] = [
    ['POST', '/Users', '{"userName":"p1@x.test","__proto__":{"polluted":1}}'],
    ['POST', '/Users', '{"userName":"p2@x.test","name":{"__proto__":{"givenName":"x"}}}'],
    ['PATCH', `/Users/${u.id}`, '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"__proto__":{"x":1}}}]}'],
    ['POST', '/Bulk', '{"Operations":[{"method":"POST","path":"/Users","data":{"userName":"p3@x.test","__proto__":{"polluted":1}}}]}'],
    ['POST', '/.search', '{"__proto__":{"filter":"userName pr"}}'],
  ];
  for (const [m, p, body] of protoBodies) scimError(t, await s.req(m, p, body), 400, 'invalidSyntax', `${m} ${p} with a "__proto__" member`);
  // Other prototype-ish names are ordinary unknown attributes: ignored, and nothing polluted.
  const ctor = await s.req('POST', '/Users', '{"userName":"ctor@x.test","constructor":{"prototype":{"polluted":1}},"toString":"x","name":{"constructor":"y"}}');
  t.equal(ctor.status, 201, 'constructor/toString keys are unknown attributes, ignored');
  t.notOk('constructor' in ctor.json && typeof ctor.json.constructor !== 'function', 'not stored');
  unpolluted(t, 'after prototype names');

  // Lone surrogates: refused in bodies, filters and parameters; a surrogate pair is a character.
  scimError(t, await s.req('POST', '/Users', '{"userName":"s\\ud800@x.test"}'), 400, 'invalidValue', 'lone surrogate in a body');
  scimError(t, await s.req('PATCH', `/Users/${u.id}`, '{"Operations":[{"op":"replace","path":"displayName","value":"\\udfff"}]}'), 400, 'invalidValue', 'in a PATCH value');
  scimError(t, await s.req('PATCH', `/Groups/${g.id}`, '{"Operations":[{"op":"replace","path":"displayName","value":"a\\ud800"}]}'), 400, 'invalidValue', 'in a group PATCH value');
  scimError(t, await s.req('GET', `/Users?filter=${encodeURIComponent('userName eq "\\ud800"')}`), 400, 'invalidFilter', 'escaped in a filter');
  scimError(t, await s.req('POST', '/Users/.search', { filter: 'userName eq "\ud800"' }), 400, 'invalidValue', 'raw in a .search filter');
  scimError(t, await s.req('PATCH', `/Users/${u.id}`, patchBody({ op: 'remove', path: 'emails[value eq "\\ud800"]' })), 400, 'invalidPath', 'in a PATCH path filter');
  const raw = await s.req('GET', '/Users?filter=userName%20eq%20%22%ED%A0%80%22');
  t.ok(raw.status === 200 || raw.status === 400, `UTF-8-encoded surrogate bytes in the query: ${raw.status}`);
  t.match(raw.headers.get('content-type'), /^application\/scim\+json/);
  const pair = await s.req('POST', '/Users', '{"userName":"\\ud834\\udd1e@x.test"}');
  t.equal(pair.status, 201, 'a surrogate pair is stored');
  t.equal(pair.json.userName, '𝄞@x.test');
  t.equal((await s.req('GET', `/Users?filter=${encodeURIComponent('userName eq "\\ud834\\udd1e@x.test"')}`)).json.totalResults, 1, 'and found');

  // Nesting: 3,000 levels in Bulk data (once a stack overflow), and in every other body.
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const deepArr = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  scimError(t, await s.req('POST', '/Bulk', `{"Operations":[{"method":"POST","path":"/Users","bulkId":"d","data":${deep(3000)}}]}`), 400, 'invalidSyntax', 'Bulk data 3,000 levels');
  scimError(t, await s.req('POST', '/Bulk', `{"Operations":[{"method":"POST","path":"/Users","bulkId":"d","data":{"userName":${deepArr(3000)}}}]}`), 400, 'invalidSyntax', 'Bulk data 3,000 array levels');
  scimError(t, await s.req('POST', '/Users', deep(100000)), 400, 'invalidSyntax', 'POST 100,000 levels');
  scimError(t, await s.req('PATCH', `/Users/${u.id}`, `{"Operations":[{"op":"add","path":"emails","value":${deepArr(65)}}]}`), 400, 'invalidSyntax', 'PATCH value 65 levels');
  scimError(t, await s.req('POST', '/.search', deep(5000)), 400, 'invalidSyntax', '/.search');
  const fine = await s.req('POST', '/Bulk', `{"Operations":[{"method":"PATCH","path":"/Users/${u.id}","data":{"Operations":[{"op":"add","path":"emails","value":${deepArr(40)}}]}}]}`);
  t.equal(fine.status, 200, '40 levels parse; the operation itself fails on its own terms');
  t.equal(fine.json.Operations[0].status, '400');

  // Router errors under /scim/v2: SCIM bodies; elsewhere Fastify's JSON, unchanged.
  for (const p of ['/Users/%E0%A4%A', '/Groups/%E0%A4%A', '/Users/%ZZ', '/Schemas/%E0']) {
    scimError(t, await s.req('GET', p), 400, undefined, `bad percent-encoding ${p}`);
  }
  scimError(t, await s.req('PATCH', '/Users/%E0%A4%A', patchBody({ op: 'remove', path: 'title' })), 400, undefined, 'bad percent-encoding on PATCH');
  scimError(t, await s.req('GET', `/Users/${'a'.repeat(500)}`), 414, undefined, 'path segment too long');
  scimError(t, await s.req('DELETE', `/Groups/${'b'.repeat(5000)}`), 414, undefined, 'path segment too long on DELETE');
  const noToken = await fetch(`${server.url}/scim/v2/Users/%E0%A4%A`);
  t.equal(noToken.status, 400, 'answered before authentication too');
  t.match(noToken.headers.get('content-type'), /^application\/scim\+json/);
  const elsewhere = await fetch(`${server.url}/console/%E0%A4%A`);
  t.equal(elsewhere.status, 400);
  t.match(elsewhere.headers.get('content-type'), /^application\/json/, 'outside /scim/v2 Fastify answers as before');
  t.equal((await elsewhere.json()).code, 'FST_ERR_BAD_URL');

  unpolluted(t, 'at the end');
  t.equal((await s.req('GET', `/Users/${u.id}`)).status, 200, 'still serving');
});
