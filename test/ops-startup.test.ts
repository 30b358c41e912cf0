// Start-up failures an operator meets (bad settings, port in use, a database path that cannot
// work): exactly one line on stderr saying what to fix, a non-zero exit, never a stack trace.
import { test, type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './helpers/server.ts';
import { NODE, serverEnv, startProcess, tempDir } from './helpers/spawned-server.ts';

async function startFails(t: Test, extra: Record<string, string>, port?: number) {
  const dir = tempDir(t);
  const p = port ?? (await freePort());
  const s = startProcess(t, { command: NODE, args: ['src/server.ts'], env: serverEnv(dir, p, extra), port: p });
  const exit = await s.exited;
  const lines = s.stderr.filter((l) => l.trim() !== '');
  return { exit, lines, stdout: s.stdout, dir };
}

function oneLine(t: Test, r: Awaited<ReturnType<typeof startFails>>, expected: RegExp, code: number) {
  t.equal(r.exit.code, code, `exit code ${code}`);
  t.equal(r.lines.length, 1, `one line on stderr: ${JSON.stringify(r.lines)}`);
  t.match(r.lines[0] ?? '', expected, 'saying what is wrong');
  t.notOk(r.lines.some((l) => /^\s+at /.test(l)), 'no stack trace');
}

test('bad settings: one line, exit 2', async (t) => {
  oneLine(t, await startFails(t, { LOG_LEVEL: 'verbose' }), /^securelogin: configuration error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)$/, 2);
  oneLine(t, await startFails(t, { LOG_FORMAT: 'xml' }), /LOG_FORMAT must be one of json, pretty/, 2);
  oneLine(t, await startFails(t, { PUBLIC_URL: 'not a url' }), /PUBLIC_URL must be an absolute http\(s\) URL/, 2);
  oneLine(t, await startFails(t, { PORT: '70000' }), /PORT must be an integer between 0 and 65535/, 2);
});

test('the port is in use: one line naming it, exit 1', async (t) => {
  const port = await freePort();
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', () => resolve()));
  t.teardown(() => holder.close());
  oneLine(t, await startFails(t, {}, port), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`), 1);
});

test('HOST that is not an address of this machine: one line, exit 1', async (t) => {
  // TEST-NET-1 (RFC 5737): never assigned to a local interface.
  oneLine(t, await startFails(t, { HOST: '192.0.2.1' }), /cannot listen on 192\.0\.2\.1:\d+: 192\.0\.2\.1 is not an address of this machine; set HOST/, 1);
});

test('a database path that cannot work: one line, exit 1', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a directory');
  oneLine(t, await startFails(t, { DATABASE_URL: `file:${path.join(file, 'x.db')}` }), /^securelogin: .+/, 1);
});

test('an unsupported DATABASE_URL: one line, and its password is not printed', async (t) => {
  const r = await startFails(t, { DATABASE_URL: 'mysql://admin:s3cret-pw@db.example:3306/sl' });
  oneLine(t, r, /^securelogin: .+/, 1);
  t.notOk([...r.lines, ...r.stdout].some((l) => l.includes('s3cret-pw')), 'the password appears nowhere');
});
