// Audit log of admin and security events: stored rows, the structured stdout line (never a
// secret), the Activity page's separate view with its filters (viewers included), and the CLI's
// tenant and manager commands.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import Fastify from 'fastify';
import { startServer, TEST_ENV } from './helpers/server.ts';
import { seedTenant } from './helpers/oauth.ts';
import { consoleAs } from './helpers/console.ts';
import { recordAudit } from '../src/audit/record.ts';
import { createDb } from '../src/db/client.ts';
import { testDatabase } from './helpers/test-db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PW = 'Correct-Horse-Battery-9';

t.test('one structured security line per event, and a row', async (t) => {
  const s = await startServer(t);
  const { tenant } = await seedTenant(s, { domain: 'acme' });
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const logged = Fastify({ logger: { level: 'info', stream: sink } });
  t.teardown(() => logged.close());
  const log = logged.log;
  await recordAudit(s.app.db, { event: 'signin.failure', tenantId: tenant.id, tenant: 'acme', actor: 'alice', ip: '192.0.2.7', outcome: 'failure', detail: 'wrong password' }, log);
  t.equal(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.match(j, { security_event: 'signin.failure', tenant: 'acme', actor: 'alice', ip: '192.0.2.7', outcome: 'failure' });
  const row = await s.app.db.auditEvent.findFirstOrThrow();
  t.match(row, { tenantId: tenant.id, event: 'signin.failure', actor: 'alice', ip: '192.0.2.7', outcome: 'failure', detail: 'wrong password' });
});

t.test('Activity: admin and security events apart from SCIM traffic, with filters; viewers read them', async (t) => {
  const s = await startServer(t);
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', managers: [{ username: 'alice', password: PW }, { username: 'vic', password: PW, role: 'viewer' }] });
  const other = await seedTenant(s, { domain: 'globex', managers: [{ username: 'gina', password: PW }] });
  const admin = await consoleAs(db, s.url, managers[0].id, tenant.id);
  const viewer = await consoleAs(db, s.url, managers[1].id, tenant.id);
  const globex = await consoleAs(db, s.url, other.managers[0].id, other.tenant.id);

  let res = await admin.jar.post('/console/managers', { _csrf: admin.csrf, username: 'newbie', password: 'a fresh long passphrase 77', role: 'viewer' });
  t.equal(res.status, 303);
  const newbie = await db.manager.findFirstOrThrow({ where: { usernameKey: 'newbie' } });
  res = await admin.jar.post(`/console/managers/${newbie.id}/role`, { _csrf: admin.csrf, role: 'admin' });
  t.equal(res.status, 303);
  res = await admin.jar.post('/console/api-clients', { _csrf: admin.csrf, name: 'CC client' });
  t.equal(res.status, 200);
  const secret = /data-testid="client-secret">([^<]+)</.exec(await res.text())![1];
  await globex.jar.post('/console/api-clients', { _csrf: globex.csrf, name: 'Globex client' });

  const rows = await db.auditEvent.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } });
  t.same(rows.map((r) => [r.event, r.actor, r.outcome]), [
    ['manager.added', 'alice', 'success'],
    ['manager.role_changed', 'alice', 'success'],
    ['api_client.created', 'alice', 'success'],
  ]);
  t.equal(rows[1].detail, 'role admin');
  t.ok(rows.every((r) => r.ip === '127.0.0.1'), 'client address recorded');
  t.notOk(JSON.stringify(rows).includes(secret), 'no secret stored');
  t.notOk(JSON.stringify(rows).includes('fresh long passphrase'), 'no password stored');

  res = await viewer.jar.get('/console/activity?view=audit');
  t.equal(res.status, 200, 'viewers read the audit log');
  let html = await res.text();
  t.match(html, 'Manager added');
  t.match(html, 'Manager role changed');
  t.match(html, 'API client created');
  t.notMatch(html, 'Globex client', "another tenant's events are not shown");
  t.match(html, 'aria-current="page">Admin and security events');

  html = await (await admin.jar.get('/console/activity?view=audit&q=newbie')).text();
  t.match(html, 'Manager added');
  t.notMatch(html, 'API client created', 'search by person or object');
  html = await (await admin.jar.get('/console/activity?view=audit&outcome=failure')).text();
  t.match(html, 'No events match these filters');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  html = await (await admin.jar.get(`/console/activity?view=audit&from=${tomorrow}`)).text();
  t.match(html, 'No events match these filters', 'date range');
  html = await (await admin.jar.get(`/console/activity?view=audit&from=${today}&to=${today}`)).text();
  t.match(html, 'Manager added');

  html = await (await admin.jar.get('/console/activity')).text();
  t.notMatch(html, 'Manager added', 'the SCIM view does not mix them in');
});

t.test('CLI: tenant enable/disable and manager commands are audited', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-cli-'));
  const database = testDatabase(dir, 'a.db');
  t.teardown(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = database.url;
  const cli = (args: string[], stdin = '') =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['src/cli.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...TEST_ENV, DATABASE_URL: url } });
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
      child.stdin.end(stdin);
    });
  t.equal(await cli(['tenant', 'create', 'acme', '--name', 'Acme']), 0);
  t.equal(await cli(['manager', 'create', 'acme', 'alice', '--password-stdin'], PW), 0);
  // Same default role as the console: the first manager is the admin, later ones are viewers.
  t.equal(await cli(['manager', 'create', 'acme', 'bob', '--password-stdin'], PW), 0);
  t.equal(await cli(['tenant', 'disable', 'acme']), 0);
  t.equal(await cli(['tenant', 'enable', 'acme']), 0);
  const db = createDb(url);
  t.teardown(() => db.$disconnect());
  const rows = await db.auditEvent.findMany({ orderBy: { id: 'asc' } });
  t.same(rows.filter((r) => r.event === 'manager.added').map((r) => r.detail), ['role admin', 'role viewer']);
  t.same(rows.map((r) => [r.event, r.actor, r.target]), [
    ['manager.added', 'operator (CLI)', 'alice'],
    ['manager.added', 'operator (CLI)', 'bob'],
    ['tenant.disabled', 'operator (CLI)', 'acme'],
    ['tenant.enabled', 'operator (CLI)', 'acme'],
  ]);
});

t.test('sign-ins (success, failure, pause) and password changes are audited', async (t) => {
  const s = await startServer(t, { LOGIN_MAX_FAILURES_PER_USER: '2' });
  const db = s.app.db;
  const { tenant, managers } = await seedTenant(s, { domain: 'acme', managers: [{ username: 'alice', password: PW }] });
  const { authorizeOverHttp } = await import('./helpers/oauth.ts');
  await authorizeOverHttp(s, { domain: 'acme', username: 'alice', password: PW, decision: 'deny' });
  for (let i = 0; i < 3; i++) {
    await authorizeOverHttp(s, { domain: 'acme', username: 'mallory', password: 'not the password 1' }).catch(() => undefined);
  }
  const rows = await db.auditEvent.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } });
  t.same(rows.map((r) => [r.event, r.actor, r.outcome]), [
    ['signin.success', 'alice', 'success'],
    ['signin.failure', 'mallory', 'failure'],
    ['signin.failure', 'mallory', 'failure'],
    ['signin.locked', 'mallory', 'failure'],
  ]);
  t.match(rows[0].detail, /Entra authorization/);
  t.match(rows[1].detail, /wrong username or password/);
  t.notOk(JSON.stringify(rows).includes('not the password'), 'never the typed password');

  const c = await consoleAs(db, s.url, managers[0].id, tenant.id);
  let res = await c.jar.post('/console/password', { _csrf: c.csrf, current: 'wrong current password', password: 'another long passphrase 9', confirm: 'another long passphrase 9' });
  res = await c.jar.post('/console/password', { _csrf: c.csrf, current: PW, password: 'another long passphrase 9', confirm: 'another long passphrase 9' });
  t.equal(res.status, 303);
  const pw = await db.auditEvent.findMany({ where: { tenantId: tenant.id, event: { startsWith: 'password.' } }, orderBy: { id: 'asc' } });
  t.same(pw.map((r) => [r.event, r.outcome]), [
    ['password.change_failed', 'failure'],
    ['password.changed', 'success'],
  ]);
});
