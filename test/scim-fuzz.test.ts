// Thousands of random and malformed filters, paths and bodies (seeded, reproducible): the API
// must never answer 5xx and must stay alive.
import t from 'tap';
import { scimServer, userBody, groupBody, prng } from './helpers/scim.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

t.test(`fuzz (seed ${SEED})`, async (t) => {
  // Thousands of requests from one tenant: the per-tenant rate limit is another test's subject.
  const { server, a } = await scimServer(t, { SCIM_RATE_LIMIT: 'off' });
  const scim = a.scim;
  const rnd = prng(SEED);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const uid = (await scim.req('POST', '/Users', userBody('fuzz@x.test', { emails: [{ value: 'f@x.test', type: 'work' }] }))).json.id;
  const gid = (await scim.req('POST', '/Groups', groupBody('Fuzz'))).json.id;

  const attrs = ['userName', 'displayName', 'emails', 'emails.value', 'emails[type eq "work"]', 'name.givenName', 'active', 'meta.created', 'meta.lastModified', 'id', 'externalId', 'members', 'members.value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'x', 'ümlaut', '', '$ref', 'groups', 'title', 'phoneNumbers[type eq "mobile"].value'];
  const ops = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'zz', 'EQ', 'and', 'or', 'not', ''];
  const vals = ['"a"', '"x\\"y"', 'true', 'false', 'null', '12', '-1.5e3', '"2026-01-01T00:00:00Z"', '"', "'a'", 'abc', '""', '"\\u0000"', '((', ')', '[', ']', '"%00"', '"' + 'z'.repeat(300) + '"'];
  const tok = () => pick([pick(attrs), pick(ops), pick(vals), '(', ')', 'not (', '[', ']', ' ', 'and', 'or']);
  const filter = () => {
    if (rnd() < 0.4) return `${pick(attrs)} ${pick(ops)} ${pick(vals)}`;
    return Array.from({ length: 1 + Math.floor(rnd() * 8) }, tok).join(' ');
  };
  const junk = (): unknown => {
    const r = rnd();
    if (r < 0.1) return null;
    if (r < 0.2) return pick(['', 'False', 'True', 'x', '0']);
    if (r < 0.3) return Math.floor(rnd() * 1e6) - 5e5;
    if (r < 0.4) return rnd() < 0.5;
    if (r < 0.55) return Array.from({ length: Math.floor(rnd() * 3) }, junk);
    if (r < 0.7) return { value: junk(), type: pick(['work', 'User', 'Group', 7]), primary: junk() };
    if (r < 0.8) return { [pick(attrs)]: junk() };
    return pick([uid, gid, 'bulkId:x', '{{x}}', '\u0000', '𝄞']);
  };
  const patchOp = () => ({
    op: pick(['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'REPLACE', 'copy', '', 5]),
    ...(rnd() < 0.8 ? { path: rnd() < 0.5 ? pick(attrs) : filter() } : {}),
    ...(rnd() < 0.85 ? { value: junk() } : {}),
  });
  const body = () => {
    const r = rnd();
    if (r < 0.1) return pick(['{', '[]', '"x"', '1', 'null', '{"Operations":', '\u0000', '{}']);
    if (r < 0.5) return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: rnd() < 0.1 ? junk() : Array.from({ length: 1 + Math.floor(rnd() * 4) }, patchOp) };
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 1 + rnd() * 6; i++) o[pick(attrs.concat(['schemas', 'meta', 'id', 'Operations', 'members', 'manager']))] = junk();
    if (rnd() < 0.5) o.userName = `fz${Math.floor(rnd() * 50)}@x.test`;
    if (rnd() < 0.5) o.displayName = `FZ ${Math.floor(rnd() * 50)}`;
    return o;
  };
  const paths = () =>
    pick([
      `/Users?filter=${encodeURIComponent(filter())}`,
      `/Groups?filter=${encodeURIComponent(filter())}&excludedAttributes=${encodeURIComponent(pick(attrs))}`,
      `/Users?sortBy=${encodeURIComponent(pick(attrs))}&sortOrder=${pick(['ascending', 'descending', 'up'])}&startIndex=${pick(['1', '0', '-3', 'x', '1e9', '99999999999999999999'])}&count=${pick(['1', '0', '-1', 'x', '100000'])}`,
      `/Users/${pick([uid, 'x', '%00', '..', '%2e%2e', 'a%2Fb', encodeURIComponent('ü')])}?attributes=${encodeURIComponent(pick(attrs))}`,
      `/Groups/${pick([gid, 'nope'])}`,
      `/${pick(['Users', 'Groups', 'Bulk', '.search', 'Schemas', 'ResourceTypes', 'Me', 'users/.search', '%', '..%2f', ''])}`,
    ]);

  let n = 0;
  const fivexx: string[] = [];
  const N = Number(process.env.FUZZ_N ?? 3000);
  const one = async () => {
    const kind = rnd();
    let method = 'GET';
    let p = paths();
    let b: unknown;
    if (kind < 0.35) {
      method = 'GET';
    } else if (kind < 0.6) {
      method = 'PATCH';
      p = pick([`/Users/${uid}`, `/Groups/${gid}`]);
      b = body();
    } else if (kind < 0.8) {
      method = 'POST';
      p = pick(['/Users', '/Groups', '/.search', '/Users/.search', '/Bulk']);
      b = p === '/Bulk' && rnd() < 0.7 ? { Operations: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ method: pick(['POST', 'PATCH', 'PUT', 'DELETE', 'GET', 7]), path: pick(['/Users', `/Users/${uid}`, '/Groups', `/Groups/bulkId:q`, 'x']), bulkId: pick(['q', undefined, 5]), data: body() })) } : p.includes('search') ? { filter: filter(), count: junk(), startIndex: junk(), attributes: junk(), sortBy: junk() } : body();
    } else if (kind < 0.9) {
      method = 'PUT';
      p = pick([`/Users/${uid}`, `/Groups/${gid}`]);
      b = body();
    } else {
      method = pick(['DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
      p = paths();
    }
    const headers: Record<string, string> = rnd() < 0.05 ? { 'content-type': pick(['text/plain', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data']) } : {};
    const r = await scim.req(method, p, typeof b === 'string' ? b : b === undefined ? undefined : JSON.stringify(b), headers);
    n++;
    if (r.status >= 500) fivexx.push(`${method} ${p} ${JSON.stringify(b)?.slice(0, 300)} → ${r.status} ${r.text.slice(0, 200)}`);
  };
  for (let i = 0; i < N; i += 8) await Promise.all(Array.from({ length: Math.min(8, N - i) }, one));
  t.equal(n, N, `${N} requests sent`);
  t.same(fivexx.slice(0, 10), [], 'no 5xx');
  const health = await fetch(`${server.url}/healthz`);
  t.equal(health.status, 200, 'server still alive');
  t.equal((await scim.req('GET', `/Users/${uid}`)).status, 200, 'and still serving SCIM');
});
