// The pure pieces of the SCIM input bounds: JSON body guard (depth, lone surrogates, __proto__),
// attribute bounds in the mappers, and the byte-bounded page loop.
import t, { type Test } from 'tap';
import { hasLoneSurrogate, jsonDepthExceeds, parseGuardedJson } from '../../src/scim/json-guard.ts';
import { boundedPage } from '../../src/scim/page-budget.ts';
import { userFromScim } from '../../src/scim/resources/user.ts';
import { groupFromScim } from '../../src/scim/resources/group.ts';
import { boundedWrite } from '../../src/scim/users-service.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { userWhere, userOrderBy, groupWhere } from '../../src/scim/filter/to-where.ts';
import { userKeyLookup } from '../../src/scim/filter/key-lookup.ts';
import { ScimError } from '../../src/scim/errors.ts';
import {
  MAX_IDENTIFIER_CHARS,
  MAX_JSON_DEPTH,
  MAX_MEMBERS_PER_REQUEST,
  MAX_RESOURCE_BYTES,
  MAX_STRING_CHARS,
  MAX_VALUES_PER_ATTRIBUTE,
} from '../../src/scim/limits.ts';

function scimErr(t: Test, fn: () => unknown, status: number, scimType: string | undefined, detail: RegExp, msg: string) {
  try {
    fn();
    t.fail(`${msg}: no error`);
  } catch (err) {
    t.ok(err instanceof ScimError, `${msg}: a ScimError`);
    const e = err as ScimError;
    t.same([e.status, e.scimType], [status, scimType], `${msg}: ${status} ${scimType}`);
    t.match(e.message, detail, `${msg}: detail`);
  }
}


const nest = (n: number, open = '[', close = ']') => `${open.repeat(n)}${close.repeat(n)}`;

t.test('json guard', async (t) => {
  t.notOk(jsonDepthExceeds(nest(MAX_JSON_DEPTH)), `${MAX_JSON_DEPTH} levels pass`);
  t.ok(jsonDepthExceeds(nest(MAX_JSON_DEPTH + 1)), `${MAX_JSON_DEPTH + 1} levels do not`);
  t.notOk(jsonDepthExceeds(`["${'['.repeat(500)}"]`), 'brackets inside strings do not count');
  t.notOk(jsonDepthExceeds(`["\\"${'{'.repeat(500)}"]`), 'an escaped quote does not end the string');
  t.same(parseGuardedJson('{"a":[1,{"b":"𝄞"}]}'), { a: [1, { b: '𝄞' }] }, 'ordinary JSON (a surrogate pair included) parses');
  scimErr(t, () => parseGuardedJson(nest(3000)), 400, 'invalidSyntax', /nested more than 64 levels/, '3,000 levels');
  scimErr(t, () => parseGuardedJson(`{"Operations":[{"data":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}]}`), 400, 'invalidSyntax', /nested/, '3,000 object levels');
  scimErr(t, () => parseGuardedJson('{"userName":"a\\ud800"}'), 400, 'invalidValue', /userName contains a lone UTF-16 surrogate/, 'lone high surrogate');
  scimErr(t, () => parseGuardedJson('["\\udc00x"]'), 400, 'invalidValue', /lone UTF-16 surrogate/, 'lone low surrogate');
  scimErr(t, () => parseGuardedJson('["a\ud800"]'), 400, 'invalidValue', /lone UTF-16 surrogate/, 'a raw lone surrogate in the text (no escape)');
  t.same(parseGuardedJson('{"a":"\\u00e9\\ud834\\udd1e"}'), { a: 'é𝄞' }, 'escapes that form characters pass');
  scimErr(t, () => parseGuardedJson('{"\\ud800":1}'), 400, 'invalidValue', /member name/, 'lone surrogate in a key');
  scimErr(t, () => parseGuardedJson('{"name":{"__proto__":{"x":1}}}'), 400, 'invalidSyntax', /"__proto__" is not a valid member name \(at name\)/, '__proto__ key');
  scimErr(t, () => parseGuardedJson('{"\\u005f_proto__":1}'), 400, 'invalidSyntax', /__proto__/, 'escaped __proto__ key');
  scimErr(t, () => parseGuardedJson('{'), 400, 'invalidSyntax', /not valid JSON/, 'malformed');
  t.ok(hasLoneSurrogate('\ud800'));
  t.notOk(hasLoneSurrogate('\ud834\udd1e'));
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
});

t.test('attribute bounds in the mappers', async (t) => {
  const big = 'x'.repeat(MAX_STRING_CHARS + 1);
  t.equal((userFromScim({ userName: 'a', displayName: 'x'.repeat(MAX_STRING_CHARS) }) as { displayName: string }).displayName.length, MAX_STRING_CHARS, 'a string at the bound is kept');
  scimErr(t, () => userFromScim({ userName: 'a', displayName: big }), 400, 'invalidValue', new RegExp(`"displayName" is ${MAX_STRING_CHARS + 1} characters long; the maximum is ${MAX_STRING_CHARS}`), 'displayName');
  scimErr(t, () => userFromScim({ userName: 'a', name: { givenName: big } }), 400, 'invalidValue', /"name\.givenName" .* maximum is 65536/, 'sub-attribute');
  scimErr(t, () => userFromScim({ userName: 'a', emails: [{ value: big }] }), 400, 'invalidValue', /"emails\.value"/, 'element sub-attribute');
  scimErr(t, () => userFromScim({ userName: 'u'.repeat(MAX_IDENTIFIER_CHARS + 1) }), 400, 'invalidValue', /"userName" is 1025 characters long; the maximum is 1024/, 'userName');
  scimErr(t, () => userFromScim({ userName: 'a', externalId: 'e'.repeat(MAX_IDENTIFIER_CHARS + 1) }), 400, 'invalidValue', /"externalId" .* 1024/, 'externalId');
  scimErr(
    t,
    () => userFromScim({ userName: 'a', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: 'm'.repeat(MAX_IDENTIFIER_CHARS + 1) } }),
    400,
    'invalidValue',
    /manager\.value" .* 1024/,
    'manager.value',
  );
  const many = Array.from({ length: MAX_VALUES_PER_ATTRIBUTE + 1 }, (_, i) => ({ value: `e${i}@x.test` }));
  scimErr(t, () => userFromScim({ userName: 'a', emails: many }), 400, 'invalidValue', /"emails" has 1001 values; the maximum is 1000/, 'emails');
  scimErr(t, () => userFromScim({ userName: 'a', roles: many }), 400, 'invalidValue', /"roles" has 1001 values/, 'roles');
  t.equal((userFromScim({ userName: 'a', emails: many.slice(1) }) as { emails: unknown[] }).emails.length, MAX_VALUES_PER_ATTRIBUTE, '1,000 values are kept');
  // The stored document as a whole: 3 strings of 60 Ki are each within bounds, together not.
  const doc = userFromScim({ userName: 'a', displayName: 'd'.repeat(60000), nickName: 'n'.repeat(60000), title: 't'.repeat(60000) });
  scimErr(t, () => boundedWrite(doc), 400, 'invalidValue', new RegExp(`User resource is \\d+ bytes as stored; the maximum is ${MAX_RESOURCE_BYTES}`), 'resource size');
  // Multi-byte characters count as their UTF-8 size.
  const wide = userFromScim({ userName: 'a', displayName: 'é'.repeat(40000), nickName: 'é'.repeat(40000) });
  scimErr(t, () => boundedWrite(wide), 400, 'invalidValue', /160\d\d\d bytes as stored/, 'UTF-8 bytes');
  t.ok(boundedWrite(userFromScim({ userName: 'a', displayName: 'é'.repeat(20000) })).json, 'a document under the bound gets its JSON');
  // PATCH-grown lists are bounded on the whole document.
  scimErr(t, () => boundedWrite({ userName: 'a', emails: many }), 400, 'invalidValue', /"emails" has 1001 values/, 'grown list');

  scimErr(t, () => groupFromScim({ displayName: 'g'.repeat(MAX_IDENTIFIER_CHARS + 1) }), 400, 'invalidValue', /"displayName" .* 1024/, 'group displayName');
  scimErr(t, () => groupFromScim({ displayName: 'g', members: [{ value: 'v'.repeat(MAX_IDENTIFIER_CHARS + 1) }] }), 400, 'invalidValue', /"members\.value" .* 1024/, 'member id');
  const members = Array.from({ length: MAX_MEMBERS_PER_REQUEST + 1 }, (_, i) => ({ value: `m${i}` }));
  scimErr(t, () => groupFromScim({ displayName: 'g', members }), 400, 'invalidValue', /names 10001 members; the maximum is 10000 per request/, 'members per request');
  t.equal(groupFromScim({ displayName: 'g', members: members.slice(1) }).members.length, MAX_MEMBERS_PER_REQUEST, '10,000 members pass the mapper');
});

t.test('prototype names in filters and sortBy', async (t) => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
    // "__proto__" is not even an attribute name (ATTRNAME starts with a letter): the parser stops it.
    const bad = name === '__proto__' ? /not a valid attribute name|invalid sub-attribute name/ : undefined;
    scimErr(t, () => userWhere(parseFilter(`${name} eq "x"`)), 400, 'invalidFilter', bad ?? /Unknown or unfilterable attribute/, `users: ${name}`);
    if (!bad) t.equal(userKeyLookup(parseFilter(`${name} eq "x"`)), null, `no key lookup for ${name}`);
    scimErr(t, () => groupWhere(parseFilter(`${name} eq "x"`)), 400, 'invalidFilter', bad ?? /Unknown or unfilterable/, `groups: ${name}`);
    scimErr(t, () => userWhere(parseFilter(`name.${name} eq "x"`)), 400, 'invalidFilter', bad ?? /no sub-attribute/, `name.${name}`);
    scimErr(t, () => userWhere(parseFilter(`emails[${name} eq "x"]`)), 400, 'invalidFilter', bad ?? /not filterable/, `emails[${name}]`);
    scimErr(t, () => userWhere(parseFilter(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:${name} eq "x"`)), 400, 'invalidFilter', bad ?? /Unknown/, `enterprise ${name}`);
    scimErr(t, () => userOrderBy(name, undefined), 400, 'invalidValue', /not a sortable attribute/, `sortBy=${name}`);
    scimErr(t, () => userOrderBy(`name.${name}`, undefined), 400, 'invalidValue', /not a sortable attribute/, `sortBy=name.${name}`);
  }
  scimErr(t, () => parseFilter('userName eq "\\ud800"'), 400, 'invalidFilter', /lone UTF-16 surrogate/, 'escaped lone surrogate in a filter');
  scimErr(t, () => parseFilter('userName eq "a\ud800"'), 400, 'invalidFilter', /lone UTF-16 surrogate/, 'raw lone surrogate in a filter');
  t.ok(parseFilter('userName eq "\\ud834\\udd1e"'), 'an escaped surrogate pair is a character');
});

t.test('byte-bounded page', async (t) => {
  const rows = Array.from({ length: 25 }, (_, i) => ({ id: i, pad: 'p'.repeat(i === 3 ? 5000 : 90) }));
  const calls: [number, number, boolean][] = [];
  const fetch = async (skip: number, take: number, withTotal: boolean) => {
    calls.push([skip, take, withTotal]);
    return { total: withTotal ? rows.length : -1, records: rows.slice(skip, skip + take) };
  };
  const render = (r: (typeof rows)[number]) => ({ id: String(r.id), pad: r.pad });
  const all = await boundedPage({ startIndex: 1, count: 100, maxBytes: 1 << 20, step: 10, fetch, render });
  t.same([all.total, all.resources.length, all.truncated], [25, 25, false], 'a roomy budget gives the whole page');
  t.same(calls, [[0, 10, true], [10, 10, false], [20, 10, false]], 'fetched in steps; the count only on the first');

  calls.length = 0;
  const cut = await boundedPage({ startIndex: 1, count: 100, maxBytes: 1000, step: 10, fetch, render });
  t.same(cut.resources.map((r) => r.id), ['0', '1', '2'], 'stops before the resource that would pass the budget');
  t.ok(cut.truncated, 'reported as cut short');
  t.ok(cut.bytes <= 1000, 'within the budget');
  t.equal(cut.bytes, cut.resources.reduce((n, r) => n + JSON.stringify(r).length + 1, 0), 'bytes counted');
  t.same(calls, [[0, 10, true]], 'nothing fetched after the cut');
  const big = await boundedPage({ startIndex: 4, count: 100, maxBytes: 1000, step: 10, fetch, render });
  t.same(big.resources.map((r) => r.id), ['3'], 'a resource larger than the budget is served alone');
  const none = await boundedPage({ startIndex: 4, count: 100, maxBytes: 1000, step: 10, atLeastOne: false, fetch, render });
  t.same(none.resources, [], 'unless the page already holds resources elsewhere');
  // Following itemsPerPage walks every row exactly once.
  const seen: string[] = [];
  for (let start = 1; start <= rows.length; ) {
    const p = await boundedPage({ startIndex: start, count: 7, maxBytes: 700, step: 3, fetch, render });
    seen.push(...p.resources.map((r) => r.id as string));
    start += p.resources.length;
  }
  t.same(seen, rows.map((r) => String(r.id)), 'pages chained by itemsPerPage cover every row once, in order');
  calls.length = 0;
  const zero = await boundedPage({ startIndex: 1, count: 0, maxBytes: 700, step: 3, fetch, render });
  t.same([zero.total, zero.resources.length, calls], [25, 0, [[0, 0, true]]], 'count=0 asks only for the total');
});
