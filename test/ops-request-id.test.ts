// X-Request-Id: on every response (pages, 404s, SCIM errors, the hijacked oidc-provider routes, the
// Fastify-written bad-URL answers), a sane incoming id kept, anything else replaced by a random UUID,
// and shown on the console's error page.
import { test } from 'tap';
import net from 'node:net';
import { startServer } from './helpers/server.ts';
import { tenantWithToken } from './helpers/scim.ts';
import { testDatabase } from './helpers/test-db.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One raw HTTP/1.1 exchange, for request lines fetch() refuses to send. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

test('every kind of response carries X-Request-Id', async (t) => {
  const server = await startServer(t);
  const a = await tenantWithToken(server, 'reqid');
  const cases: [string, Promise<Response>][] = [
    ['health', fetch(`${server.url}/healthz`)],
    ['unknown route', fetch(`${server.url}/no/such/page`)],
    ['SCIM without a token', fetch(`${server.url}/scim/v2/Users`)],
    ['SCIM list', fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${a.tokens.access_token}` } })],
    ['SCIM unknown endpoint', fetch(`${server.url}/scim/v2/Nope`, { headers: { authorization: `Bearer ${a.tokens.access_token}` } })],
    ['oauth token error', fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope' })],
    ['oauth discovery', fetch(`${server.url}/oauth/.well-known/openid-configuration`)],
    ['oauth jwks', fetch(`${server.url}/oauth/jwks`)],
    ['console sign-in redirect', fetch(`${server.url}/console`, { redirect: 'manual' })],
  ];
  const ids = new Set<string>();
  for (const [name, p] of cases) {
    const res = await p;
    await res.arrayBuffer();
    const id = res.headers.get('x-request-id') ?? '';
    t.match(id, UUID, `${name} (${res.status}): a random UUID`);
    ids.add(id);
  }
  t.equal(ids.size, cases.length, 'every request got its own id');

  const port = Number(new URL(server.url).port);
  const bad = await rawRequest(port, 'GET /scim/v2/Users/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.match(bad, /^HTTP\/1\.1 4\d\d /, 'malformed percent-encoding is refused');
  t.match(bad, /\r\nx-request-id: [0-9a-f-]{36}\r\n/i, 'and the refusal carries an id too');
  // Refused by Node's HTTP parser before any request exists.
  const garbage = await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n');
  t.match(garbage, /^HTTP\/1\.1 400 /, 'malformed HTTP: 400');
  t.match(garbage, /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/i, 'with an id');
  const huge = await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.match(huge, /^HTTP\/1\.1 431 /, 'oversized headers: 431');
  t.match(huge, /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/i, 'with an id');
});

test('a sane incoming X-Request-Id is kept; anything else is replaced', async (t) => {
  const server = await startServer(t);
  const sane = ['abc-123', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'lb:edge.1_42', 'x'.repeat(128)];
  for (const id of sane) {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': id } });
    t.equal(res.headers.get('x-request-id'), id, `kept: ${id.slice(0, 40)}`);
  }
  const insane = ['x'.repeat(129), 'has space', 'quote"d', 'semi;colon', '<script>', 'tab\there'];
  for (const id of insane) {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': id } });
    const got = res.headers.get('x-request-id') ?? '';
    t.not(got, id, `replaced: ${JSON.stringify(id.slice(0, 40))}`);
    t.match(got, UUID, 'by a UUID');
  }
  // Same id on the oidc-provider routes, which Fastify hands over without sending a reply itself.
  const res = await fetch(`${server.url}/oauth/jwks`, { headers: { 'x-request-id': 'edge-77' } });
  t.equal(res.headers.get('x-request-id'), 'edge-77', 'kept on the oidc-provider routes');
});

test("the console's error page shows the request id", async (t) => {
  const server = await startServer(t);
  // A body type the console does not read: its error handler renders the error page (415).
  const res = await fetch(`${server.url}/console/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml', 'x-request-id': 'quote-me-42' },
    body: '<x/>',
  });
  const html = await res.text();
  t.equal(res.status, 415);
  t.match(res.headers.get('content-type') ?? '', /text\/html/);
  t.match(html, /Request id: <code>quote-me-42<\/code>/, 'the id a person can quote');
});

test('currentRequestId() follows the request through awaits, a parsed body and a hijacked reply', async (t) => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { loadConfig } = await import('../src/config.ts');
  const { buildApp } = await import('../src/app.ts');
  const { currentRequestId } = await import('../src/plugins/request-id.ts');
  const { freePort, TEST_ENV } = await import('./helpers/server.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-ctx-'));
  const port = await freePort();
  const database = testDatabase(dir, 'ctx.db');
  const app = await buildApp(loadConfig({ ...TEST_ENV, PORT: String(port), DATABASE_URL: database.url }), { logger: false });
  t.teardown(async () => {
    await app.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const later = () => new Promise((r) => setTimeout(r, 5));
  app.get('/ctx-test', async () => {
    await later();
    return { id: currentRequestId() };
  });
  app.post('/ctx-test', async (req) => {
    await later();
    return { id: currentRequestId(), echoed: (req.body as { n: number }).n };
  });
  app.get('/ctx-test/hijacked', (_req, reply) => {
    reply.hijack();
    setTimeout(() => reply.raw.end(JSON.stringify({ id: currentRequestId() })), 5);
  });
  await app.listen({ host: '127.0.0.1', port });
  const base = `http://127.0.0.1:${port}`;
  const get = await fetch(`${base}/ctx-test`, { headers: { 'x-request-id': 'ctx-get' } });
  t.same(await get.json(), { id: 'ctx-get' }, 'after an await in the handler');
  const post = await fetch(`${base}/ctx-test`, {
    method: 'POST',
    headers: { 'x-request-id': 'ctx-post', 'content-type': 'application/json' },
    body: JSON.stringify({ n: 7, pad: 'x'.repeat(200_000) }),
  });
  t.same(await post.json(), { id: 'ctx-post', echoed: 7 }, 'after the body was read from the socket');
  const hijacked = await fetch(`${base}/ctx-test/hijacked`, { headers: { 'x-request-id': 'ctx-raw' } });
  t.same(await hijacked.json(), { id: 'ctx-raw' }, 'in a reply written outside Fastify');
  t.equal(currentRequestId(), undefined, 'and nothing outside a request');
});
