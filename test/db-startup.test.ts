// Starting on a database that cannot be used fails at once with one line that says what to fix
// (StartupError), never with a stack trace, a hang, or an empty database created by a typo.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { migrate } from '../src/db/migrate.ts';
import { createDb } from '../src/db/client.ts';
import { StartupError } from '../src/startup-error.ts';
import { TEST_ENV } from './helpers/server.ts';
import { sqliteOnly } from './helpers/test-db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOBODY = 65534;

function run(args: string[], env: Record<string, string>, uid?: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...TEST_ENV, ...env }, ...(uid === undefined ? {} : { uid, gid: NOBODY }) });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

async function startupError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    if (!(e instanceof StartupError)) return `not a StartupError: ${(e as Error).stack}`;
    return e.message;
  }
}

t.test('unusable database locations: one StartupError line each, nothing created', { skip: sqliteOnly('database file locations and file permissions') }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-startup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: [string, string, RegExp][] = [
    ['directory missing (typo)', `file:${path.join(dir, 'typo', 'db.sqlite')}`, /directory of DATABASE_URL does not exist: .*typo.*create it or correct DATABASE_URL/],
    ['under /proc (SQLite would hang)', 'file:/proc/forbidden/x.db', /does not exist: \/proc\/forbidden/],
    ['a directory, not a file', `file:${dir}`, /not a file/],
    ['not a database', `file:${path.join(dir, 'notes.txt')}`, /is not a SQLite database/],
  ];
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'these are not the pages you are looking for\n'.repeat(100));
  for (const [what, url, re] of cases) {
    const msg = await startupError(migrate(url));
    t.match(msg, re, `migrate: ${what}`);
    t.notOk(msg.includes('\n'), `${what}: one line`);
    // createDb opens nothing (the connection opens at the first query): it checks the path only.
    if (!what.startsWith('not a database')) t.match(await startupError(Promise.resolve().then(() => createDb(url))), re, `createDb: ${what}`);
  }
  t.notOk(fs.existsSync(path.join(dir, 'typo')), 'no directory created for a typo');
  t.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8').slice(0, 5), 'these', 'the foreign file is untouched');
});

t.test('the real server exits non-zero with one line on a path that does not exist', { skip: sqliteOnly('database file locations and file permissions') }, async (t) => {
  const r = await run(['src/server.ts'], { DATABASE_URL: 'file:/proc/forbidden/x.db', PORT: '0' });
  t.not(r.code, 0, 'non-zero exit');
  t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr.trim()}`);
  t.match(r.stderr, /\/proc\/forbidden/);
});

t.test('read-only database file or directory for the service user (a non-root process)', { skip: sqliteOnly('database file locations and file permissions') }, async (t) => {
  // The unprivileged user must be able to reach Node and this checkout: a clone inside a
  // directory only root can enter (mktemp -d makes 0700 ones) cannot host this test.
  const reachable = await run(['-e', ''], {}, NOBODY).then(
    (r) => r.code === 0,
    () => false,
  );
  if (!reachable) {
    t.skip(`uid ${NOBODY} cannot run ${process.execPath} from ${ROOT} (a parent directory is closed to other users)`, () => {});
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-ro-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const owned = path.join(dir, 'owned');
  fs.mkdirSync(owned);
  fs.chownSync(owned, NOBODY, NOBODY);
  const file = path.join(owned, 'ro.db');
  await migrate(`file:${file}`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o644); // root's file, readable by all
  const script = "import('./src/db/migrate.ts').then((m) => m.migrate(process.env.DATABASE_URL)).then(() => console.error('started'), (e) => { console.error(e.name + ': ' + e.message); process.exit(1); })";
  const ro = await run(['-e', script], { DATABASE_URL: `file:${file}` }, NOBODY);
  t.not(ro.code, 0);
  t.match(ro.stderr.trim(), /^StartupError: the database file .*ro\.db is read-only/, 'read-only file');
  const unwritableDir = await run(['-e', script], { DATABASE_URL: `file:${path.join(dir, 'new.db')}` }, NOBODY);
  t.not(unwritableDir.code, 0);
  t.match(unwritableDir.stderr.trim(), /^StartupError: the database directory .* is not writable/, 'unwritable directory');
});
