// Resource mapping, Entra normalisation, projection and discovery documents. No database.
import t from 'tap';
import { userFromScim, userToScim, userIndex } from '../../src/scim/resources/user.ts';
import { groupFromScim, groupToScim, groupIndex } from '../../src/scim/resources/group.ts';
import { project, wantsMembers } from '../../src/scim/resources/project.ts';
import { serviceProviderConfig, schemas, resourceTypes } from '../../src/scim/resources/discovery.ts';
import { coerceBoolean, unwrapManager, memberRefs, normalizeOpName, isClearingValue, findKey } from '../../src/scim/normalize.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BASE = 'https://id.example/scim/v2';
const row = (data: Record<string, unknown>) => ({ id: 'u1', data, createdAt: new Date('2025-01-02T03:04:05Z'), updatedAt: new Date('2025-02-03T04:05:06Z'), version: 3 });

function errorOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { scimType?: string }).scimType ?? `non-SCIM error: ${(e as Error).message}`;
  }
  return undefined;
}

t.test('E02 body: stored as sent, meta/schemas ignored, toScim → fromScim round-trips', async (t) => {
  const body = {
    schemas: [U, E],
    externalId: 'ext-1',
    userName: 'alice@contoso.example',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Alice@Contoso.example' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Alice Anders', familyName: 'Anders', givenName: 'Alice' },
    phoneNumbers: [{ type: 'mobile', value: '+31 6 1234 5678' }],
    preferredLanguage: 'en-US',
    roles: [],
  };
  const doc = userFromScim(body);
  t.strictSame(doc, {
    externalId: 'ext-1',
    userName: 'alice@contoso.example',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Alice@Contoso.example' }],
    name: { formatted: 'Alice Anders', familyName: 'Anders', givenName: 'Alice' },
    phoneNumbers: [{ type: 'mobile', value: '+31 6 1234 5678' }],
    preferredLanguage: 'en-US',
  });
  const res = userToScim(row(doc), { baseUrl: BASE });
  t.strictSame(res.schemas, [U]);
  t.equal(res.id, 'u1');
  t.strictSame(res.meta, { resourceType: 'User', created: '2025-01-02T03:04:05.000Z', lastModified: '2025-02-03T04:05:06.000Z', location: `${BASE}/Users/u1`, version: 'W/"3"' });
  t.strictSame(userFromScim(res), doc, 'round trip');
});

t.test('E08 legacy body: nulls absent, malformed URN ignored, top-level enterprise attributes lifted', async (t) => {
  const doc = userFromScim({
    schemas: [U, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
    externalId: 'bob1',
    userName: 'bob@contoso.example',
    active: true,
    addresses: null,
    displayName: 'Bob Brown',
    emails: [{ type: 'work', value: 'Bob@Contoso.example', primary: true }],
    meta: { resourceType: 'User' },
    name: { familyName: 'Brown', givenName: 'Bob' },
    phoneNumbers: null,
    preferredLanguage: null,
    title: null,
    department: null,
    manager: null,
  });
  t.strictSame(doc, {
    externalId: 'bob1',
    userName: 'bob@contoso.example',
    active: true,
    displayName: 'Bob Brown',
    emails: [{ type: 'work', value: 'Bob@Contoso.example', primary: true }],
    name: { familyName: 'Brown', givenName: 'Bob' },
  });
  const lifted = userFromScim({ userName: 'x', department: 'Sales', Manager: 'm1', employeeNumber: '7', [E]: { department: 'Retail' } });
  t.strictSame(lifted, { userName: 'x', [E]: { department: 'Retail', manager: { value: 'm1' }, employeeNumber: '7' } }, 'explicit extension wins');
  const r = userToScim(row(lifted), { baseUrl: BASE, managerDisplayName: 'Mia' });
  t.strictSame(r.schemas, [U, E]);
  t.strictSame((r[E] as Record<string, unknown>).manager, { value: 'm1', $ref: `${BASE}/Users/m1`, displayName: 'Mia' });
  t.notOk('department' in r && 'manager' in r);
});

t.test('Entra normalisation on create', async (t) => {
  t.strictSame(userFromScim({ userName: 'c', active: 'True' }), { userName: 'c', active: true }, 'E10 "True"');
  t.strictSame(userFromScim({ USERNAME: 'c', Active: 'false', NAME: { GivenName: 'C' } }), { userName: 'c', active: false, name: { givenName: 'C' } }, 'Q5 names');
  t.strictSame(userFromScim({ userName: 'c', emails: { value: 'c@x', type: 'work' } }), { userName: 'c', emails: [{ value: 'c@x', type: 'work' }] }, 'single object wrapped');
  t.strictSame(userFromScim({ userName: 'c', id: 'x', groups: [{ value: 'g' }], password: 'secret', unknownThing: 1, 'http://schemas.microsoft.com/x': {} }), { userName: 'c' }, 'readOnly/unknown/password dropped');
  for (const m of ['m1', { value: 'm1' }, [{ $ref: 'https://x/Users/m1', value: 'm1' }], { value: 'm1', displayName: 'ignored' }]) {
    t.strictSame(userFromScim({ userName: 'c', [E]: { manager: m } }), { userName: 'c', [E]: { manager: { value: 'm1' } } }, `manager ${JSON.stringify(m)}`);
  }
  t.strictSame(userFromScim({ userName: 'c', [E]: { manager: '' } }), { userName: 'c' });
  t.equal(errorOf(() => userFromScim({ externalId: 'x', active: true })), 'invalidValue', 'E12 userName required');
  t.equal(errorOf(() => userFromScim({ userName: '' })), 'invalidValue');
  t.equal(errorOf(() => userFromScim({ userName: 5 })), 'invalidValue');
  t.equal(errorOf(() => userFromScim({ userName: 'c', active: 'yes' })), 'invalidValue');
  t.equal(errorOf(() => userFromScim({ userName: 'c', name: 'x' })), 'invalidValue');
  t.equal(errorOf(() => userFromScim({ userName: 'c', emails: [{ value: 1 }] })), 'invalidValue');
  t.equal(errorOf(() => userFromScim({ userName: 'c', externalId: 7 })), 'invalidValue');
  t.equal(errorOf(() => userFromScim('x')), 'invalidSyntax');
});

t.test('userIndex derives lower-cased query columns and value rows', async (t) => {
  const { columns, values } = userIndex({
    userName: 'Alice@X',
    externalId: 'Ext',
    displayName: 'Alice A',
    name: { givenName: 'Alice', familyName: 'Anders' },
    emails: [{ type: 'Work', value: 'A@X', primary: true }],
    addresses: [{ type: 'work', postalCode: '10AB', country: 'NL' }],
    x509Certificates: [{ value: 'MIIB' }],
    [E]: { department: 'Sales', manager: { value: 'M-1' } },
  });
  t.equal(columns.userNameKey, 'alice@x');
  t.equal(columns.externalId, 'Ext');
  t.equal(columns.active, true, 'absent active is active');
  t.equal(columns.displayNameKey, 'alice a');
  t.equal(columns.givenNameKey, 'alice');
  t.equal(columns.titleKey, null);
  t.equal(columns.departmentKey, 'sales');
  t.equal(columns.managerId, 'M-1');
  t.equal(values.length, 3);
  t.same(values[0], { attr: 'emails', typeKey: 'work', valueKey: 'a@x', displayKey: null, primary: true, formattedKey: null, streetKey: null, localityKey: null, regionKey: null, postalCodeKey: null, countryKey: null });
  t.same(values[1], { attr: 'addresses', typeKey: 'work', valueKey: null, displayKey: null, primary: false, formattedKey: null, streetKey: null, localityKey: null, regionKey: null, postalCodeKey: '10ab', countryKey: 'nl' });
  t.equal(values[2].valueKey, null, 'certificates not indexed');
  t.equal(userIndex({ userName: 'a', active: false }).columns.active, false);
});

t.test('groups: from/to SCIM, members, index', async (t) => {
  const { doc, members } = groupFromScim({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: 'g-ext',
    displayName: 'Engineering',
    meta: { resourceType: 'Group' },
    id: 'client-id',
    members: [{ value: 'u1' }, { value: 'g2', type: 'Group' }, { value: 'u1' }],
  });
  t.strictSame(doc, { displayName: 'Engineering', externalId: 'g-ext' });
  t.strictSame(members, [{ value: 'u1' }, { value: 'g2', type: 'Group' }]);
  t.equal(errorOf(() => groupFromScim({ externalId: 'x' })), 'invalidValue');
  t.equal(errorOf(() => groupFromScim({ displayName: 'x', members: [{ value: '' }] })), 'invalidValue');
  const grow = { id: 'g1', data: doc, createdAt: new Date(0), updatedAt: new Date(1000), version: 1 };
  const noMembers = groupToScim(grow, { baseUrl: BASE });
  t.notOk('members' in noMembers, 'members omitted when not loaded (Q21)');
  t.strictSame(noMembers.schemas, ['urn:ietf:params:scim:schemas:core:2.0:Group']);
  t.equal((noMembers.meta as Record<string, unknown>).location, `${BASE}/Groups/g1`);
  const withMembers = groupToScim(grow, { baseUrl: BASE, members: [{ value: 'u1', type: 'User', display: 'Alice' }, { value: 'g2', type: 'Group' }] });
  t.strictSame(withMembers.members, [
    { value: 'u1', $ref: `${BASE}/Users/u1`, display: 'Alice', type: 'User' },
    { value: 'g2', $ref: `${BASE}/Groups/g2`, type: 'Group' },
  ]);
  t.strictSame(groupFromScim(withMembers).doc, doc, 'round trip');
  t.strictSame(groupIndex(doc), { displayNameKey: 'engineering', externalId: 'g-ext' });
});

t.test('projection: attributes / excludedAttributes', async (t) => {
  const res = userToScim(row({ userName: 'a', displayName: 'A', name: { givenName: 'G', familyName: 'F' }, emails: [{ type: 'work', value: 'a@x' }], [E]: { department: 'D', costCenter: 'C' } }), {
    baseUrl: BASE,
    groups: [{ value: 'g1', display: 'Eng' }],
  });
  t.strictSame(project(res, { attributes: 'id' }, 'User'), { id: 'u1', schemas: res.schemas }, 'F20 attributes=id');
  t.strictSame(project(res, { attributes: ['userName', 'NAME.givenName'] }, 'User'), { id: 'u1', schemas: res.schemas, userName: 'a', name: { givenName: 'G' } });
  t.strictSame(project(res, { attributes: 'emails.value,meta.version' }, 'User'), { id: 'u1', schemas: res.schemas, emails: [{ value: 'a@x' }], meta: { version: 'W/"3"' } });
  t.strictSame(project(res, { attributes: `${E}:department` }, 'User'), { id: 'u1', schemas: res.schemas, [E]: { department: 'D' } });
  t.strictSame(project(res, { attributes: 'department' }, 'User'), { id: 'u1', schemas: res.schemas, [E]: { department: 'D' } });
  t.strictSame(project(res, { attributes: E }, 'User'), { id: 'u1', schemas: res.schemas, [E]: { department: 'D', costCenter: 'C' } });
  const ex = project(res, { excludedAttributes: 'groups,name.familyName,id,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter' }, 'User');
  t.notOk('groups' in ex);
  t.strictSame(ex.name, { givenName: 'G' });
  t.equal(ex.id, 'u1', 'id is always returned');
  t.strictSame(ex[E], { department: 'D' });
  t.ok('groups' in res, 'input untouched');
  t.equal(project(res, {}, 'User'), res);
  const g = groupToScim({ id: 'g1', data: { displayName: 'Eng' }, createdAt: new Date(0), updatedAt: new Date(0), version: 1 }, { baseUrl: BASE, members: [] });
  t.notOk('members' in project(g, { excludedAttributes: 'members' }, 'Group'), 'Q21');
  t.notOk('members' in project(g, { excludedAttributes: ['Members'] }, 'Group'));
  t.equal(wantsMembers({ excludedAttributes: 'members' }), false);
  t.equal(wantsMembers({ excludedAttributes: ['displayName', 'MEMBERS'] }), false);
  t.equal(wantsMembers({ excludedAttributes: 'members.display' }), true);
  t.equal(wantsMembers({ attributes: 'id' }), false);
  t.equal(wantsMembers({ attributes: 'members.value' }), true);
  t.equal(wantsMembers({}), true);
});

t.test('discovery documents', async (t) => {
  const spc = serviceProviderConfig({ baseUrl: BASE, maxResults: 200, bulkMaxOperations: 100, bulkMaxPayloadBytes: 1048576 }) as Record<string, any>;
  t.strictSame(spc.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
  t.equal(spc.patch.supported, true);
  t.strictSame(spc.bulk, { supported: true, maxOperations: 100, maxPayloadSize: 1048576 });
  t.strictSame(spc.filter, { supported: true, maxResults: 200 });
  t.equal(spc.changePassword.supported, false);
  t.equal(spc.sort.supported, true);
  t.equal(spc.etag.supported, true);
  t.equal(spc.authenticationSchemes[0].type, 'oauthbearertoken');
  t.equal(spc.meta.location, `${BASE}/ServiceProviderConfig`);

  const list = schemas(BASE) as Record<string, any>[];
  t.strictSame(list.map((s) => s.id), [U, E, 'urn:ietf:params:scim:schemas:core:2.0:Group']);
  const user = list[0];
  const attr = (n: string) => user.attributes.find((a: any) => a.name === n);
  t.equal(attr('userName').caseExact, false);
  t.equal(attr('userName').uniqueness, 'server');
  t.equal(attr('userName').required, true);
  t.ok(attr('emails').subAttributes.find((s: any) => s.name === 'type').canonicalValues.includes('work'));
  t.ok(attr('phoneNumbers').subAttributes.find((s: any) => s.name === 'type').canonicalValues.includes('mobile'));
  t.ok(attr('preferredLanguage'));
  t.equal(attr('groups').mutability, 'readOnly');
  t.notOk(attr('password'), 'password is not offered');
  t.equal(list[0].meta.location, `${BASE}/Schemas/${U}`);
  t.notOk(JSON.stringify(list).includes('null'), 'no null characteristics');
  const members = list[2].attributes.find((a: any) => a.name === 'members');
  t.strictSame(members.subAttributes.map((s: any) => s.name), ['value', '$ref', 'display', 'type']);
  const manager = list[1].attributes.find((a: any) => a.name === 'manager');
  t.equal(manager.type, 'complex');

  const types = resourceTypes(BASE) as Record<string, any>[];
  t.match(types[0], { name: 'User', endpoint: '/Users', schema: U, schemaExtensions: [{ schema: E, required: false }] });
  t.match(types[1], { name: 'Group', endpoint: '/Groups', schema: 'urn:ietf:params:scim:schemas:core:2.0:Group' });
});

t.test('normalize: one function per quirk', async (t) => {
  for (const [v, want] of [[true, true], ['True', true], ['FALSE', false], [' true ', true], [false, false]] as const) t.equal(coerceBoolean(v, 'active'), want);
  for (const v of ['yes', 1, null, {}]) t.equal(errorOf(() => coerceBoolean(v, 'active')), 'invalidValue');
  t.strictSame(unwrapManager('m'), { value: 'm' });
  t.strictSame(unwrapManager([{ value: 'm' }]), { value: 'm' });
  t.equal(unwrapManager(''), undefined);
  t.equal(unwrapManager([]), undefined);
  t.equal(normalizeOpName('Replace'), 'replace');
  t.equal(normalizeOpName('frobnicate'), undefined);
  for (const v of ['', null, undefined, [], {}]) t.equal(isClearingValue(v), true);
  for (const v of ['x', 0, false, [1]]) t.equal(isClearingValue(v), false);
  t.equal(findKey({ Value: 1 }, 'value'), 'Value');
  t.strictSame(memberRefs([{ $ref: null, value: 'u1' }, 'u2', { Value: 'u3', Type: 'group' }]), [{ value: 'u1' }, { value: 'u2' }, { value: 'u3', type: 'Group' }]);
  t.strictSame(memberRefs(null), []);
});
