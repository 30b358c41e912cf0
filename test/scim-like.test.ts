// co/sw/ew match their operand literally: LIKE's wildcards in a value or an operand are just
// characters (search-key.ts), on users, their emails, groups and the console search alike.
import t from 'tap';
import { scimServer, userBody, groupBody } from './helpers/scim.ts';

t.test('LIKE metacharacters are literals in co/sw/ew', async (t) => {
  const { a } = await scimServer(t);
  const scim = a.scim;
  for (const n of ['a_b@x.test', 'axb@x.test', 'p%q@x.test', 'pzq@x.test', 'back\\slash@x.test', 'backxslash@x.test']) {
    t.equal((await scim.req('POST', '/Users', userBody(n, { emails: [{ type: 'work', value: `mail.${n}` }] }))).status, 201);
  }
  const names = async (filter: string) => {
    const r = await scim.req('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    t.equal(r.status, 200, filter);
    return r.json.Resources.map((u: { userName: string }) => u.userName).sort();
  };
  t.same(await names('userName co "_"'), ['a_b@x.test']);
  t.same(await names('userName co "%"'), ['p%q@x.test']);
  t.same(await names('userName sw "A_"'), ['a_b@x.test'], 'case-insensitive and literal');
  t.same(await names('userName ew "%Q@X.test"'), ['p%q@x.test']);
  t.same(await names('userName co "\\\\"'), ['back\\slash@x.test'], 'a backslash is a literal too');
  t.same(await names('emails.value co "_b@"'), ['a_b@x.test']);
  t.same(await names('emails[type eq "work" and value sw "MAIL.P%"]'), ['p%q@x.test']);
  t.same(await names('userName eq "A_B@x.test"'), ['a_b@x.test'], 'equality unchanged');
  t.equal((await scim.req('POST', '/Users', userBody('A_B@X.TEST'))).status, 409, 'uniqueness unchanged');

  for (const g of ['team_1', 'teamx1', '100%']) t.equal((await scim.req('POST', '/Groups', groupBody(g))).status, 201);
  const groups = async (filter: string) =>
    (await scim.req('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(filter)}`)).json.Resources.map((g: { displayName: string }) => g.displayName).sort();
  t.same(await groups('displayName sw "team_"'), ['team_1']);
  t.same(await groups('displayName ew "0%"'), ['100%']);
  t.same(await groups('displayName eq "TEAM_1"'), ['team_1']);

  // sortBy on a key column still orders (wildcards sort after letters: documented deviation).
  const sorted = await scim.req('GET', `/Users?sortBy=userName&filter=${encodeURIComponent('userName sw "a"')}`);
  t.same(sorted.json.Resources.map((u: { userName: string }) => u.userName), ['axb@x.test', 'a_b@x.test']);
});
