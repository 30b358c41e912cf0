// HTTP time-outs: a body or headers trickled byte by byte, and an idle kept-alive connection, are
// cut by the server. Time-outs are set to 1 s; each case only asserts that the server hung up before
// the client gave up (20 s, far beyond the configured value), never how fast it did.
import { test } from 'tap';
import net from 'node:net';
import { startServer } from './helpers/server.ts';

const GIVE_UP_MS = 20_000;

interface Outcome {
  closedByServer: boolean;
  received: string;
}

/** Sends `head`, then one byte of `trickle` every 250 ms; resolves when the server closes the socket
 * or when GIVE_UP_MS has passed. */
function trickle(port: number, head: string, trickleText: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let received = '';
    let i = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearInterval(drip);
      clearTimeout(giveUp);
      s.destroy();
      resolve({ closedByServer, received });
    };
    const drip = setInterval(() => {
      if (i < trickleText.length && s.writable) s.write(trickleText[i++]);
    }, 250);
    const giveUp = setTimeout(() => finish(false), GIVE_UP_MS);
    s.setEncoding('latin1');
    s.on('connect', () => s.write(head));
    s.on('data', (d) => (received += d));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish(true) : reject(err)));
  });
}

const TIMEOUTS = { REQUEST_TIMEOUT_SECONDS: '1', REQUEST_HEADERS_TIMEOUT_SECONDS: '1', KEEP_ALIVE_TIMEOUT_SECONDS: '1' };

test('a body trickled to /oauth/token is cut off', async (t) => {
  const server = await startServer(t, TIMEOUTS);
  const port = Number(new URL(server.url).port);
  const body = 'grant_type=client_credentials&client_id=x&client_secret=' + 'y'.repeat(200);
  const head = `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
  const r = await trickle(port, head, body);
  t.ok(r.closedByServer, 'the server closed the connection before the client gave up');
  if (r.received) {
    t.match(r.received, /^HTTP\/1\.1 408 /, 'with 408 Request Timeout when it answered');
    t.match(r.received, /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/i, 'carrying an X-Request-Id');
  }
});

test('a body trickled to SCIM is cut off', async (t) => {
  const server = await startServer(t, TIMEOUTS);
  const port = Number(new URL(server.url).port);
  const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'slow@example.test' });
  const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\nContent-Type: application/scim+json\r\nContent-Length: ${body.length + 500}\r\n\r\n`;
  const r = await trickle(port, head, body + ' '.repeat(500));
  t.ok(r.closedByServer, 'the server closed the connection before the client gave up');
});

test('headers trickled one byte at a time are cut off', async (t) => {
  const server = await startServer(t, TIMEOUTS);
  const port = Number(new URL(server.url).port);
  const r = await trickle(port, 'GET /healthz HTTP/1.1\r\n', `X-Slow: ${'a'.repeat(200)}\r\n\r\n`);
  t.ok(r.closedByServer, 'the server closed the connection before the client gave up');
});

test('an idle kept-alive connection is closed after KEEP_ALIVE_TIMEOUT_SECONDS', async (t) => {
  const server = await startServer(t, TIMEOUTS);
  const port = Number(new URL(server.url).port);
  const r = await trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n', '');
  t.match(r.received, /^HTTP\/1\.1 200 /, 'the request was answered');
  t.match(r.received, /keep-alive: timeout=1/i, 'the advertised keep-alive time-out');
  t.ok(r.closedByServer, 'then the idle connection was closed by the server');
});
