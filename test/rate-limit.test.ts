// Per-tenant SCIM rate limit: the token bucket's arithmetic on a driven clock, then over HTTP one
// tenant flooding past its bucket (429 + Retry-After + SCIM error) while another is served.
import { test } from 'tap';
import { TokenBuckets } from '../src/plugins/rate-limit.ts';
import { startServer } from './helpers/server.ts';
import { tenantWithToken, userBody, ERROR_URN } from './helpers/scim.ts';

test('token bucket: burst, refill at the rate, Retry-After, per key', async (t) => {
  let now = 0;
  const b = new TokenBuckets({ perSecond: 2, burst: 3, now: () => now });
  for (let i = 0; i < 3; i++) t.same(b.take('a'), { ok: true }, `burst request ${i + 1}`);
  t.same(b.take('a'), { ok: false, retryAfterSeconds: 1 }, 'empty bucket: retry after the time one token takes');
  t.same(b.take('b'), { ok: true }, 'another key has its own bucket');
  now = 500; // half a second at 2/s: one token back
  t.same(b.take('a'), { ok: true }, 'refilled one token');
  t.same(b.take('a'), { ok: false, retryAfterSeconds: 1 });
  now = 60_000;
  for (let i = 0; i < 3; i++) t.same(b.take('a'), { ok: true }, 'a long pause refills only up to the burst');
  t.equal(b.take('a').ok, false);

  const slow = new TokenBuckets({ perSecond: 1, burst: 1, now: () => now });
  slow.take('x');
  t.same(slow.take('x'), { ok: false, retryAfterSeconds: 1 });
  const verySlow = new TokenBuckets({ perSecond: 1, burst: 1, now: () => now });
  verySlow.take('x');
  now += 100;
  t.same(verySlow.take('x'), { ok: false, retryAfterSeconds: 1 }, 'Retry-After rounds up to whole seconds');
});

test('token bucket memory: refilled tenants are forgotten, the table is bounded', async (t) => {
  let now = 0;
  const b = new TokenBuckets({ perSecond: 10, burst: 20, now: () => now, maxKeys: 100 });
  for (let i = 0; i < 100; i++) b.take(`tenant-${i}`);
  t.equal(b.size, 100);
  now = 1_000; // not yet full again (20 tokens at 10/s take 2 s)
  b.evict();
  t.equal(b.size, 100, 'buckets still refilling are kept');
  now = 2_000;
  b.take('tenant-0'); // active again
  b.evict();
  t.equal(b.size, 1, 'full buckets dropped: a full bucket and no bucket behave alike');
  now = 2_001;
  for (let i = 0; i < 250; i++) b.take(`burst-${i}`);
  t.ok(b.size <= 100, `never more than maxKeys buckets (${b.size})`);
});

test('one tenant flooding gets 429s while another tenant is served', async (t) => {
  const server = await startServer(t, { SCIM_RATE_LIMIT_PER_SECOND: '1', SCIM_RATE_LIMIT_BURST: '5' });
  const flood = await tenantWithToken(server, 'flood');
  const quiet = await tenantWithToken(server, 'quiet');

  // 40 requests at once against a bucket of 5 refilled at 1/s: most must be refused, however slow
  // the machine (all 40 would need 35 s to pass).
  const floodResults = Promise.all(Array.from({ length: 40 }, () => flood.scim.req('GET', '/Users?count=1')));
  const quietResults = await Promise.all([
    quiet.scim.req('POST', '/Users', userBody('q1@quiet.test')),
    quiet.scim.req('GET', '/Users?count=1'),
    quiet.scim.req('GET', '/ServiceProviderConfig'),
  ]);
  const floods = await floodResults;

  const refused = floods.filter((r) => r.status === 429);
  const served = floods.filter((r) => r.status === 200);
  t.equal(refused.length + served.length, floods.length, 'the flooding tenant gets only 200 or 429');
  t.ok(refused.length >= 20, `the flooding tenant is held to its share (${served.length} served, ${refused.length} refused)`);
  t.same(
    quietResults.map((r) => r.status),
    [201, 200, 200],
    'the other tenant is served throughout',
  );

  const r = refused[0];
  t.match(r.headers.get('content-type') ?? '', /^application\/scim\+json/);
  t.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, 'Retry-After in whole seconds');
  t.equal(r.json.status, '429', 'status as a string (RFC 7644 §3.12)');
  t.same(r.json.schemas, [ERROR_URN]);
  t.notOk('scimType' in r.json, 'no scimType: RFC 7644 defines none for 429');
  t.match(r.json.detail, /1 requests per second/, 'the detail says the limit');
});

test('SCIM_RATE_LIMIT=off lets a tenant past any bucket', async (t) => {
  const server = await startServer(t, { SCIM_RATE_LIMIT: 'off', SCIM_RATE_LIMIT_PER_SECOND: '1', SCIM_RATE_LIMIT_BURST: '1' });
  const a = await tenantWithToken(server, 'unlimited');
  const results = await Promise.all(Array.from({ length: 10 }, () => a.scim.req('GET', '/Users?count=1')));
  t.same(results.map((r) => r.status), Array(10).fill(200));
});
