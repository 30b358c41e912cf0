// Fuzz campaign: thousands of generated hostile inputs per run against the SCIM API, from a seeded
// PRNG (a failure is replayed with CAMPAIGN_SEED). Filters, query parameters, PATCH bodies, JSON
// bodies (deep nesting, huge strings, lone surrogates, prototype names, malformed text), headers
// (content types, Authorization shapes, If-Match, Accept) and URLs (bad percent-encoding, long
// segments). Requests go through app.inject: the whole Fastify pipeline (router, hooks, parsers,
// error handlers) without sockets, so the campaign affords its size on two cores. Pass: zero 5xx,
// and every 4xx a SCIM error body (RFC 7644 §3.12: Error schema, `status` a string equal to the
// HTTP status) served as application/scim+json. The figures are printed as a tap comment.
import t from 'tap';
import { appendFileSync } from 'node:fs';
import { scimServer, tenantWithToken, userBody, groupBody, prng, ERROR_URN } from './helpers/scim.ts';

const SEED = Number(process.env.CAMPAIGN_SEED ?? 20261129);
const N = Number(process.env.CAMPAIGN_N ?? 5500);
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Input {
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

t.test(`fuzz campaign (seed ${SEED}, ${N} inputs)`, async (t) => {
  // The per-tenant rate limiter would answer most of a campaign with 429 before the input is read;
  // it has its own tests. Everything else runs as configured.
  const { server, a } = await scimServer(t, { SCIM_RATE_LIMIT: 'off' });
  const other = await tenantWithToken(server, 'tenant-other');
  const token = a.tokens.access_token;
  const mk = async (p: string, b: unknown) => (await a.scim.req('POST', p, b)).json.id as string;
  const uid = await mk('/Users', userBody('fuzz@x.test', { emails: [{ value: 'f@x.test', type: 'work', primary: true }], phoneNumbers: [{ value: '+1', type: 'mobile' }] }));
  const uid2 = await mk('/Users', userBody('fuzz2@x.test', { [ENTERPRISE]: { manager: uid } }));
  const gid = await mk('/Groups', groupBody('Fuzz', { members: [{ value: uid }] }));
  const foreignUser = (await other.scim.req('POST', '/Users', userBody('foreign@x.test'))).json.id as string;

  const rnd = prng(SEED);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => rnd() < p;

  const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
  const SURROGATES = ['\ud800', '\udfff', 'a\udc00b', '\ud83d', '\ud834\udd1e', '\ufffe', '\u0000', '\u202e'];
  const ATTRS = ['userName', 'displayName', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'name.givenName', 'name', 'active', 'meta.created', 'meta.lastModified', 'meta.resourceType', 'id', 'externalId', 'members', 'members.value', 'members.display', 'members.type', 'groups', 'groups.value', 'title', 'phoneNumbers.value', 'addresses.locality', 'x509Certificates.value', 'roles.value', `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:department`, 'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'urn:x:y:z', 'x', 'ümlaut', '', '$ref', 'a.b.c', 'emails[type eq "work"]', ...PROTO];
  const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'Sw', 'zz', 'and', 'or', 'not', ''];
  const huge = () => pick(['x', 'é', '𝄞', '"', '\\', '%', '\u0000']).repeat(chance(0.05) ? 300000 : pick([1000, 9000, 70000]));
  const scalar = (): string => {
    const r = rnd();
    if (r < 0.15) return pick(SURROGATES);
    if (r < 0.25) return pick(PROTO);
    if (r < 0.3) return huge();
    if (r < 0.45) return pick([uid, uid2, gid, foreignUser, `${uid}x`, uid.toUpperCase()]);
    return pick(['', ' ', 'a', 'True', 'false', 'null', '0', '-1', '1e309', 'x@y', "o'hara", 'a"b', '\\', '%00', '%E0%A4%A', '../..', 'bulkId:q', '{{x}}', 'Ω≈ç√', '\t\n']);
  };
  const jsonStr = (s: string) => JSON.stringify(s).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  const filterValue = (): string => {
    const r = rnd();
    if (r < 0.5) return jsonStr(scalar());
    if (r < 0.6) return `"${pick(['\\ud800', '\\udfff', '\\u0000', '\\uZZZZ', '\\', '\\q', '\\"'])}"`;
    return pick(['true', 'false', 'null', '12', '-1.5e3', '"2026-01-01T00:00:00Z"', '"', "'a'", 'abc', '""', '((', ')', '[', ']', 'not', 'and']);
  };
  const filter = (): string => {
    const r = rnd();
    if (r < 0.35) return `${pick(ATTRS)} ${pick(OPS)} ${filterValue()}`;
    if (r < 0.45) return `${'('.repeat(int(400))}userName eq "a"${')'.repeat(int(400))}`;
    if (r < 0.5) return Array.from({ length: 1 + int(400) }, () => `userName eq "${int(9)}"`).join(pick([' or ', ' and ']));
    if (r < 0.55) return `emails[${pick(ATTRS)} ${pick(OPS)} ${filterValue()}]${pick(['', '.value eq "x"', '.' + pick(PROTO), '[', ']'])}`;
    if (r < 0.6) return huge();
    return Array.from({ length: 1 + int(10) }, () => pick([pick(ATTRS), pick(OPS), filterValue(), '(', ')', 'not (', '[', ']', ' ', 'and', 'or'])).join(pick([' ', '', '  ']));
  };
  // Any JSON value, bounded depth; nested() goes deep on purpose.
  const value = (depth = 0): unknown => {
    const r = rnd();
    if (depth > 4 || r < 0.35) return pick<unknown>([scalar(), null, true, false, int(1e6) - 5e5, 1.5, -0, 1e308]);
    if (r < 0.55) return Array.from({ length: int(4) }, () => value(depth + 1));
    if (r < 0.58) return chance(0.1) ? Array.from({ length: pick([1001, 2530, 12000]) }, (_, i) => ({ value: `v${i}@x.test` })) : [];
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 1 + int(5); i++) o[pick([...ATTRS, 'value', 'type', 'primary', '$ref', 'display', 'Operations', 'schemas', 'meta', 'op', 'path'])] = value(depth + 1);
    return o;
  };
  const nested = () => {
    const n = pick([65, 200, 3000, 50000]);
    return chance(0.5) ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  };
  // A JSON text, usually of `v`, sometimes mangled or with a "__proto__" member spliced in.
  const text = (v: unknown): string => {
    const s = JSON.stringify(v) ?? 'null';
    const r = rnd();
    if (r < 0.05) return s.slice(0, int(s.length));
    if (r < 0.08) return `${s}${pick(['x', '}', ',', ' {}', '\u0000'])}`;
    if (r < 0.1) return `\ufeff${s}`;
    if (r < 0.15 && s.startsWith('{') && s.length > 2) return `{"${pick(['__proto__', '\\u005f_proto__', 'constructor', '\\ud800'])}":${pick(['{"polluted":1}', '[]', '"x"', nested()])},${s.slice(1)}`;
    if (r < 0.2) return pick(['', ' ', 'null', '[]', '"x"', '1', 'NaN', '{', '{"Operations":', 'undefined', "{'a':1}", nested()]);
    return s.replace(/"__SURROGATE__"/g, () => `"${pick(['\\ud800', '\\udc00x'])}"`);
  };
  const patchOp = (): Record<string, unknown> => {
    const path = chance(0.8)
      ? pick<string>([
          pick(ATTRS),
          `members[value eq ${filterValue()}]`,
          `emails[type eq "work"].${pick(['value', ...PROTO])}`,
          `${ENTERPRISE}:${pick(['manager', 'department', ...PROTO])}`,
          filter(),
          pick(PROTO),
          `${pick(PROTO)}.${pick(PROTO)}`,
        ])
      : undefined;
    const v = pick<unknown>([
      value(),
      { value: pick([uid, gid, foreignUser, 'nope', scalar()]) },
      [{ value: pick([uid, uid2, gid, foreignUser, scalar()]) }],
      { [pick(ATTRS)]: value(), [`${ENTERPRISE}:manager`]: pick([foreignUser, uid, '__SURROGATE__']) },
      '__SURROGATE__',
      huge(),
    ]);
    return {
      op: pick<unknown>(['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'REPLACE', 'copy', '', 5, null, '__proto__']),
      ...(path !== undefined ? { path } : {}),
      ...(chance(0.85) ? { value: v } : {}),
    };
  };
  const patchBody = () =>
    chance(0.15)
      ? text(value())
      : text({
          schemas: chance(0.9) ? [PATCH_URN] : pick<unknown>([[], 'x', [ENTERPRISE], null]),
          Operations: chance(0.1) ? value() : chance(0.03) ? Array.from({ length: 1001 }, () => ({ op: 'add', path: 'title', value: 'x' })) : Array.from({ length: pick([1, 1, 2, 3, 5]) }, patchOp),
        });
  const resourceObject = () => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < int(6); i++) o[pick([...ATTRS, 'members', 'manager', 'emails', 'schemas', 'meta', 'id', ENTERPRISE])] = value();
    if (chance(0.6)) o.userName = chance(0.8) ? `fz${int(60)}@x.test` : scalar();
    if (chance(0.6)) o.displayName = chance(0.8) ? `FZ ${int(60)}` : scalar();
    if (chance(0.2)) o[ENTERPRISE] = { manager: pick([uid, foreignUser, 'nope', '__SURROGATE__', huge()]) };
    return o;
  };
  const resourceBody = () => text(resourceObject());
  const queryParams = () => {
    const params: string[] = [];
    const put = (k: string, v: string) => params.push(`${k}=${chance(0.9) ? encodeURIComponent(v).replace(/%EF%BF%BD/g, '%ED%A0%80') : v}`);
    if (chance(0.7)) put(pick(['filter', 'Filter', 'FILTER']), filter());
    if (chance(0.3)) put('sortBy', pick([...ATTRS, ...PROTO]));
    if (chance(0.2)) put('sortOrder', pick(['ascending', 'descending', 'up', '', ...PROTO]));
    if (chance(0.3)) put('startIndex', pick(['1', '0', '-3', 'x', '1e9', '99999999999999999999', '2.5', '']));
    if (chance(0.3)) put('count', pick(['1', '0', '-1', 'x', '100000', '1000', '', '0x10']));
    if (chance(0.3)) put(pick(['attributes', 'excludedAttributes']), Array.from({ length: 1 + int(3) }, () => pick([...ATTRS, ...PROTO])).join(','));
    if (chance(0.1)) params.push(pick(['filter=a&filter=b', 'count=1&count=x', '__proto__=1', 'constructor[x]=1', 'a=%E0%A4%A', '%=%', '&&&', 'filter']));
    return params.length ? `?${params.join('&')}` : '';
  };
  const authorization = (): string | undefined => {
    const r = rnd();
    if (r < 0.88) return `Bearer ${token}`;
    return pick<string | undefined>([
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `bearer  ${token}`,
      `Bearer ${token} extra`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${'x'.repeat(8000)}`,
      `Bearer ${other.tokens.access_token}`,
      'Bearer \u00ff\u00fe',
      `Token ${token}`,
      'Bearer __proto__',
    ]);
  };
  const contentType = () =>
    chance(0.85)
      ? pick(['application/scim+json', 'application/scim+json; charset=utf-8', 'application/json'])
      : pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/scim+json; charset=utf-8; x=y', 'garbage', ';;', 'application/*', '']);

  const generate = (): Input => {
    const headers: Record<string, string> = {};
    const auth = authorization();
    if (auth !== undefined) headers.authorization = auth;
    if (chance(0.1)) headers['if-match'] = pick(['*', 'W/"1"', '"x"', 'W/', '', 'W/"99999999999999999999"', huge().slice(0, 2000)]);
    if (chance(0.05)) headers.accept = pick(['text/html', 'application/xml', '*/*', 'application/scim+json;q=0', '']);
    const r = rnd();
    let kind: string;
    let method = 'GET';
    let url: string;
    let payload: string | undefined;
    if (r < 0.22) {
      kind = 'filter/query';
      url = `/scim/v2/${pick(['Users', 'Groups'])}${queryParams()}`;
    } else if (r < 0.3) {
      kind = 'search body';
      method = 'POST';
      url = pick(['/scim/v2/.search', '/scim/v2/Users/.search', '/scim/v2/Groups/.search']);
      payload = text({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: chance(0.8) ? filter() : value(), count: value(), startIndex: value(), sortBy: pick<unknown>([...PROTO, value()]), attributes: value() });
    } else if (r < 0.55) {
      kind = 'patch body';
      method = 'PATCH';
      url = pick([`/scim/v2/Users/${uid}`, `/scim/v2/Users/${uid2}`, `/scim/v2/Groups/${gid}`, `/scim/v2/Users/${foreignUser}`]);
      payload = patchBody();
    } else if (r < 0.72) {
      kind = 'resource body';
      method = pick(['POST', 'POST', 'PUT']);
      url = method === 'POST' ? pick(['/scim/v2/Users', '/scim/v2/Groups']) : pick([`/scim/v2/Users/${uid2}`, `/scim/v2/Groups/${gid}`]);
      payload = resourceBody();
    } else if (r < 0.8) {
      kind = 'bulk body';
      method = 'POST';
      url = '/scim/v2/Bulk';
      payload = chance(0.2)
        ? text(value())
        : text({
            schemas: [BULK_URN],
            failOnErrors: pick<unknown>([undefined, 1, 0, -1, 'x', 2.5]),
            Operations: Array.from({ length: chance(0.03) ? 1001 : pick([1, 2, 3]) }, () => ({
              method: pick<unknown>(['POST', 'PATCH', 'PUT', 'DELETE', 'GET', 'post', 7, '__proto__']),
              path: pick(['/Users', `/Users/${uid2}`, '/Groups', `/Groups/bulkId:q`, `/Users/bulkId:${pick(PROTO)}`, 'x', `/Users/%E0%A4%A`, `/Users/${'a'.repeat(300)}`]),
              bulkId: pick<unknown>(['q', undefined, 5, pick(PROTO), '__SURROGATE__']),
              data: chance(0.5) ? resourceObject() : value(),
            })),
          });
    } else if (r < 0.9) {
      kind = 'url';
      method = pick(['GET', 'GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'POST']);
      url = `/scim/v2/${pick([
        'Users/%E0%A4%A',
        'Groups/%E0%A4%A',
        'Users/%',
        'Users/%ZZ',
        'Users/%ED%A0%80',
        `Users/${'a'.repeat(pick([101, 500, 5000]))}`,
        `Groups/${'%41'.repeat(200)}`,
        'Users/..%2f..%2fetc',
        'Users/%00',
        'users/',
        'USERS',
        'Schemas/__proto__',
        'ResourceTypes/constructor',
        'Schemas/%E0',
        '__proto__',
        'constructor',
        'Me',
        '.search/',
        'Bulk/x',
        `Users/${uid}/extra`,
        'ServiceProviderConfig/x/y',
      ])}`;
      if (method !== 'GET' && method !== 'DELETE' && method !== 'OPTIONS') payload = text(value());
    } else {
      kind = 'headers';
      method = pick(['GET', 'POST', 'PATCH', 'DELETE']);
      url = method === 'POST' ? '/scim/v2/Users' : `/scim/v2/Users/${pick([uid2, 'nope'])}`;
      if (method === 'POST' || method === 'PATCH') payload = method === 'POST' ? resourceBody() : patchBody();
      if (chance(0.3) && headers.authorization) headers.authorization = authorization() ?? '';
    }
    if (payload !== undefined) {
      const ct = kind === 'headers' || chance(0.05) ? contentType() : 'application/scim+json; charset=utf-8';
      if (ct !== '' || !chance(0.5)) headers['content-type'] = ct;
      // A few bodies beyond the body limit (413); generated bodies that grew past it are cut to
      // one such body so that no single input costs more than a body-limit's worth of work.
      if (chance(0.003) || payload.length > 2_200_000) payload = `{"userName":"${'z'.repeat(2_200_000)}"}`;
    }
    return { kind, method, url, headers, payload };
  };

  const tally = new Map<string, number>();
  const byKind = new Map<string, number>();
  const failures: string[] = [];
  let fivexx = 0;
  let tried = 0;
  const describe = (i: Input) => `${i.method} ${i.url.slice(0, 200)} ${JSON.stringify(i.headers).slice(0, 200)} ${(i.payload ?? '').slice(0, 300)}`;
  const send = async (input: Input) => {
    const res = await server.app.inject({ method: input.method as 'GET', url: input.url, headers: input.headers, ...(input.payload !== undefined ? { payload: input.payload } : {}) });
    tried++;
    byKind.set(input.kind, (byKind.get(input.kind) ?? 0) + 1);
    const cls = `${Math.floor(res.statusCode / 100)}xx`;
    tally.set(cls, (tally.get(cls) ?? 0) + 1);
    if (res.statusCode >= 500) {
      fivexx++;
      failures.push(`${res.statusCode} ← ${describe(input)} → ${res.body.slice(0, 200)}`);
      // CAMPAIGN_DUMP=<file>: the whole failing inputs, one JSON line each, to replay them.
      if (process.env.CAMPAIGN_DUMP) appendFileSync(process.env.CAMPAIGN_DUMP, `${JSON.stringify(input)}\n`);
      return;
    }
    if (res.statusCode < 400) return;
    const type = String(res.headers['content-type'] ?? '');
    let body: { schemas?: unknown; status?: unknown } | undefined;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const ok =
      type.startsWith('application/scim+json') &&
      Array.isArray(body?.schemas) &&
      (body!.schemas as unknown[]).includes(ERROR_URN) &&
      typeof body!.status === 'string' &&
      body!.status === String(res.statusCode);
    if (!ok) failures.push(`${res.statusCode} not a SCIM error (${type}) ← ${describe(input)} → ${res.body.slice(0, 200)}`);
  };

  const started = Date.now();
  // Inputs are generated in order from the seed, then sent four at a time (writes interleave as
  // they do under Entra's concurrency).
  for (let i = 0; i < N; i += 4) {
    const batch = Array.from({ length: Math.min(4, N - i) }, generate);
    await Promise.all(batch.map(send));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const classes = [...tally.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ');
  const kinds = [...byKind.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ');
  const refused = tally.get('4xx') ?? 0;
  t.comment(`fuzz campaign: seed ${SEED}, inputs tried ${tried}, bad inputs refused (4xx) ${refused}, 5xx seen ${fivexx}, non-SCIM errors ${failures.length - fivexx} (${classes}; ${kinds}) in ${seconds} s`);

  t.equal(tried, N, `${N} inputs tried`);
  t.ok(refused >= 5000 || N < 5500, 'at least 5,000 bad inputs refused per run');
  t.equal(fivexx, 0, 'zero 5xx');
  t.same(failures.slice(0, 10), [], 'every 4xx is a SCIM error body with a string status, as application/scim+json');
  t.ok(refused > N / 2, 'the campaign is mostly bad input');
  t.ok((tally.get('2xx') ?? 0) > 0, 'and some of it is accepted');
  const probe = {} as Record<string, unknown>;
  t.same([probe.polluted, probe.x], [undefined, undefined], 'no prototype pollution in the process serving the campaign');
  t.equal((await a.scim.req('GET', `/Users/${uid}`)).status, 200, 'still serving SCIM over HTTP');
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'healthy');
});
