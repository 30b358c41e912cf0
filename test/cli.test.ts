// Operator CLI: real processes (`node src/cli.ts`) against a temporary database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { testDatabase } from './helpers/test-db.ts';
import { runCli } from './helpers/cli.ts';


const cli = runCli;

t.test('tenant and manager commands, with their error paths', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  const database = testDatabase(dir, 'cli.db');
  t.teardown(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = { DATABASE_URL: database.url };
  const run = (args: string[], stdin?: string) => cli(env, args, stdin);
  const oneLineError = (r: { code: number; stderr: string }, re: RegExp, what: string) => {
    t.not(r.code, 0, `${what}: non-zero exit`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    t.match(r.stderr, re, what);
  };

  let r = await run(['tenant', 'create', 'acme', '--name', 'Acme Corp']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /created tenant acme \(Acme Corp\)/);
  oneLineError(await run(['tenant', 'create', 'ACME', '--name', 'Again']), /already exists/, 'duplicate domain (case-insensitive)');
  oneLineError(await run(['tenant', 'create', 'bad domain!', '--name', 'x']), /invalid domain/, 'invalid domain');
  oneLineError(await run(['tenant', 'create', 'beta']), /--name/, 'missing --name');

  r = await run(['manager', 'create', 'acme', 'alice', '--password-stdin'], 'Correct-Horse-Battery-9\n');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /created admin alice in acme/);
  r = await run(['manager', 'create', 'ACME', 'vic', '--password-stdin', '--role', 'viewer'], 'Correct-Horse-Battery-9');
  t.equal(r.code, 0, r.stderr);
  oneLineError(await run(['manager', 'create', 'nope', 'bob', '--password-stdin'], 'Correct-Horse-Battery-9'), /no tenant with domain "nope"/, 'unknown tenant');
  oneLineError(await run(['manager', 'create', 'acme', 'bob', '--password-stdin'], ''), /password is empty/, 'empty password');
  oneLineError(await run(['manager', 'create', 'acme', 'bob', '--password-stdin'], 'weakpass'), /too short/, 'weak password');
  oneLineError(await run(['manager', 'create', 'acme', 'bob', '--password-stdin', '--role', 'owner'], 'Correct-Horse-Battery-9'), /--role must be admin or viewer/, 'bad role');
  oneLineError(await run(['manager', 'create', 'acme', 'bob'], 'Correct-Horse-Battery-9'), /--password-stdin/, 'password only from stdin');
  oneLineError(await run(['manager', 'create', 'acme', 'alice', '--password-stdin'], 'Correct-Horse-Battery-9'), /already exists/, 'duplicate username');

  r = await run(['manager', 'list', 'acme']);
  t.equal(r.code, 0);
  t.match(r.stdout, /alice\s+admin\s+enabled/);
  t.match(r.stdout, /vic\s+viewer/);
  t.notMatch(r.stdout, /argon2/, 'no hashes printed');

  r = await run(['tenant', 'list']);
  t.match(r.stdout, /acme\s+enabled\s+\S+\s+Acme Corp/);
  r = await run(['tenant', 'disable', 'Acme']);
  t.equal(r.code, 0);
  t.match((await run(['tenant', 'list'])).stdout, /acme\s+disabled/);
  r = await run(['tenant', 'enable', 'acme']);
  t.equal(r.code, 0);
  oneLineError(await run(['tenant', 'disable', 'ghost']), /no tenant/, 'disable unknown tenant');

  oneLineError(await run(['manager', 'reset-password', 'acme', 'alice', '--password-stdin'], 'short'), /too short/, 'weak reset');
  r = await run(['manager', 'reset-password', 'acme', 'alice', '--password-stdin'], 'Fresh-Password-2026');
  t.equal(r.code, 0, r.stderr);
  t.match((await run(['manager', 'list', 'acme'])).stdout, /alice\s+admin\s+must change password/);
  oneLineError(await run(['manager', 'reset-password', 'acme', 'ghost', '--password-stdin'], 'Fresh-Password-2026'), /no manager "ghost"/, 'reset unknown manager');

  oneLineError(await run(['manager', 'remove', 'acme', 'alice']), /last enabled admin/, 'last admin cannot be removed');
  r = await run(['manager', 'remove', 'acme', 'vic']);
  t.equal(r.code, 0);
  t.notMatch((await run(['manager', 'list', 'acme'])).stdout, /vic/);
  oneLineError(await run(['manager', 'remove', 'acme', 'vic']), /no manager/, 'remove unknown manager');

  oneLineError(await run(['frobnicate']), /unknown command/, 'unknown command');
  oneLineError(await run([]), /no command/, 'no command');
  oneLineError(await run(['tenant', 'list', '--bogus']), /unknown option/, 'unknown option');
  r = await run(['help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /tenant create <domain>/);
});

t.test('entra show and keys rotate', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  const database = testDatabase(dir, 'cli.db');
  t.teardown(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = { DATABASE_URL: database.url, ENTRA_CLIENT_SECRETS: '', PUBLIC_URL: 'https://id.example.com' };
  const first = await cli(env, ['entra', 'show']);
  t.equal(first.code, 0, first.stderr);
  const secret = /Client secret:\s+(\S+)/.exec(first.stdout)?.[1];
  t.ok(secret && secret.length >= 40, 'a strong secret is generated when none is configured');
  t.match(first.stdout, /Client ID:\s+entra-test-client/);
  t.match(first.stdout, /Authorization URL:\s+https:\/\/id\.example\.com\/oauth\/authorize/);
  t.match(first.stdout, /Token URL:\s+https:\/\/id\.example\.com\/oauth\/token/);
  t.match(first.stdout, /https:\/\/portal\.azure\.com\/TokenAuthorize/);
  const second = await cli(env, ['entra', 'show']);
  t.equal(/Client secret:\s+(\S+)/.exec(second.stdout)?.[1], secret, 'persisted, not regenerated');

  const configured = await cli({ ...env, ENTRA_CLIENT_SECRETS: 'one-secret-aaaaaaaaaaaa,two-secret-bbbbbbbbbbbb' }, ['entra', 'show']);
  t.match(configured.stdout, /Client secret:\s+one-secret-a+/);
  t.match(configured.stdout, /Also accepted:\s+two-secret-b+/);

  const r1 = await cli(env, ['keys', 'rotate']);
  t.equal(r1.code, 0, r1.stderr);
  const r2 = await cli(env, ['keys', 'rotate']);
  t.equal(r2.code, 0);
  const kid1 = /new signing key (\S+);/.exec(r1.stdout)?.[1];
  t.match(r2.stdout, new RegExp(`previous key\\(s\\) ${kid1}`), 'the previous key is retired, not deleted');
});
