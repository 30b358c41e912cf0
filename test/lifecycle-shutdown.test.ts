// Graceful shutdown of the real process: after SIGTERM, requests still arriving on open connections
// get 503 + Retry-After + Connection: close (a SCIM error under /scim/v2); a request that never
// completes cannot hold the process past SHUTDOWN_TIMEOUT_SECONDS; acknowledged SCIM writes and their
// activity rows are on disk after the exit, with a 1,000-operation Bulk in flight.
import { test } from 'tap';
import net from 'node:net';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { spawnServer, tempDir, tenantToken } from './helpers/spawned-server.ts';
import { scimClient, userBody, USER_URN, ERROR_URN } from './helpers/scim.ts';
import { sqliteOnly } from './helpers/test-db.ts';

/** A raw connection: write pieces of a request when the test decides; read what comes back. */
function openSocket(port: number) {
  const s = net.connect(port, '127.0.0.1');
  s.setEncoding('latin1');
  let received = '';
  const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
  s.on('data', (d) => (received += d));
  s.on('error', () => undefined);
  return {
    write: (text: string) => s.write(text),
    closed,
    received: () => received,
    destroy: () => s.destroy(),
  };
}

function headerOf(response: string, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(response);
  return m?.[1];
}

test('after SIGTERM: 503 on open connections, and a stalled request cannot hold the exit', async (t) => {
  const dir = tempDir(t);
  const token = await tenantToken(dir, 'drain.test');
  // Only the shutdown bound can end the stalled request: the request time-outs are far longer.
  const s = await spawnServer(t, dir, { SHUTDOWN_TIMEOUT_SECONDS: '2', REQUEST_TIMEOUT_SECONDS: '600', REQUEST_HEADERS_TIMEOUT_SECONDS: '600' });

  const stalled = openSocket(s.port);
  stalled.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{"schemas":`);
  // Requests begun before the signal whose headers end after it.
  const scim = openSocket(s.port);
  scim.write('GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n');
  const page = openSocket(s.port);
  page.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  // Let the server see the first bytes of each before the signal.
  const ok = await fetch(`${s.url}/healthz`);
  t.equal(ok.status, 200);

  s.proc.kill('SIGTERM');
  await s.waitForLine(/shutting down/);

  scim.write(`Authorization: Bearer ${token}\r\nConnection: keep-alive\r\n\r\n`);
  page.write('Connection: keep-alive\r\n\r\n');
  await Promise.all([scim.closed, page.closed]);

  const r1 = scim.received();
  t.match(r1, /^HTTP\/1\.1 503 /, 'SCIM request after the signal: 503');
  t.match(headerOf(r1, 'content-type') ?? '', /^application\/scim\+json/);
  t.equal(headerOf(r1, 'connection'), 'close', 'Connection: close');
  t.match(headerOf(r1, 'retry-after') ?? '', /^[1-9]\d*$/, 'Retry-After');
  t.match(headerOf(r1, 'x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'X-Request-Id');
  const body = JSON.parse(r1.slice(r1.indexOf('\r\n\r\n') + 4));
  t.same(body.schemas, [ERROR_URN]);
  t.equal(body.status, '503');

  const r2 = page.received();
  t.match(r2, /^HTTP\/1\.1 503 /, 'any other request after the signal: 503');
  t.equal(headerOf(r2, 'connection'), 'close');
  t.match(headerOf(r2, 'retry-after') ?? '', /^[1-9]\d*$/);
  t.match(headerOf(r2, 'content-type') ?? '', /^text\/plain/);

  const exit = await s.exited;
  t.equal(exit.code, 1, 'exited, non-zero: a request had to be cut at the time-out');
  t.ok(s.stdout.some((l) => /shutdown time-out reached/.test(l)), 'the log says why');
  await stalled.closed;
  t.pass('the stalled connection was closed');
});

test('SIGTERM during SCIM writes and a 1,000-operation Bulk: acknowledged writes and their activity survive', { skip: sqliteOnly('reads the SQLite file directly after the restart, and its integrity_check') }, async (t) => {
  const dir = tempDir(t);
  const token = await tenantToken(dir, 'writes.test');
  // Request time-outs out of the way: they are measured in wall-clock time, and a 1,000-operation
  // Bulk holds the event loop for seconds on a loaded machine, long enough to time out a writer
  // whose body arrived behind it. This test is about what survives the shutdown.
  const env = { SHUTDOWN_TIMEOUT_SECONDS: '5', SCIM_RATE_LIMIT: 'off', REQUEST_TIMEOUT_SECONDS: '600', REQUEST_HEADERS_TIMEOUT_SECONDS: '600' };
  const s = await spawnServer(t, dir, env);
  const client = scimClient(s, token);

  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let signalled = false;
  let connectionErrors = 0;
  const writer = async (w: number) => {
    for (let i = 0; ; i++) {
      try {
        const r = await client.req('POST', '/Users', userBody(`w${w}-${i}@writes.test`));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acknowledged.push(r.json.id);
        else if (signalled) return;
      } catch {
        connectionErrors++;
        if (signalled) return; // the server is gone
        throw new Error('connection failed before the signal');
      }
    }
  };
  const bulkBody = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER_URN], userName: `bulk-${i}@writes.test` } })),
  };
  const bulk = client.req('POST', '/Bulk', bulkBody).then(
    (r) => ({ status: r.status, json: r.json }),
    () => ({ status: 0, json: null }),
  );
  const writers = Promise.all([0, 1, 2, 3].map(writer));
  while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
  signalled = true;
  s.proc.kill('SIGTERM');
  const [exit, bulkResult] = await Promise.all([s.exited, bulk, writers]);
  t.not(exit.code, null, `the server exited (code ${exit.code})`);
  t.same(
    [...statuses.keys()].filter((st) => st !== 201 && st !== 503),
    [],
    `writers saw only 201 and 503 (${JSON.stringify(Object.fromEntries(statuses))}, ${connectionErrors} connection(s) closed)`,
  );

  // Restart on the same file: it must come up, and hold every acknowledged write.
  const again = await spawnServer(t, dir, env);
  const db = createClient({ url: `file:${path.join(dir, 'test.db')}` });
  t.teardown(() => db.close());
  const users = new Set((await db.execute('SELECT id FROM ScimUser')).rows.map((r) => String(r.id)));
  const logged = new Set(
    (await db.execute("SELECT resourceId FROM Activity WHERE operation = 'create' AND status = 201")).rows.map((r) => String(r.resourceId)),
  );
  const missingUsers = acknowledged.filter((id) => !users.has(id));
  const missingActivity = acknowledged.filter((id) => !logged.has(id));
  t.same(missingUsers, [], `all ${acknowledged.length} acknowledged creates are stored`);
  t.same(missingActivity, [], 'and each has its activity row (the buffer was flushed before exit)');

  if (bulkResult.status === 200) {
    const created = (bulkResult.json.Operations as { status: string; location?: string }[]).filter((o) => o.status === '201');
    const ids = created.map((o) => o.location!.split('/').pop()!);
    t.same(ids.filter((id) => !users.has(id)), [], `the Bulk was answered: its ${ids.length} created users are stored`);
    const bulkRows = await db.execute("SELECT COUNT(*) AS n FROM Activity WHERE operation = 'bulk'");
    t.equal(Number(bulkRows.rows[0].n), 1, 'and the Bulk has its activity row');
  } else {
    t.pass(`the Bulk was cut by the shutdown (status ${bulkResult.status}): nothing was acknowledged for it`);
  }
  const integrity = await db.execute('PRAGMA integrity_check');
  t.equal(String(integrity.rows[0].integrity_check), 'ok', 'integrity_check ok');
  const r = await fetch(`${again.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(r.status, 200, 'the restarted server serves the tenant');
  again.proc.kill('SIGTERM');
  t.equal((await again.exited).code, 0, 'and stops cleanly when idle');
});
