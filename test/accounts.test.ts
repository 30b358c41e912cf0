// Accounts: password policy, argon2id hashing, throttling arithmetic, managers service and the
// last-admin rule, against a real database.
import t from 'tap';
import { freshDb } from './helpers/db.ts';
import { createTenant, findTenantByDomain, isValidDomain } from '../src/db/tenants.ts';
import { passwordProblem } from '../src/accounts/password-policy.ts';
import { LoginThrottle, describeWait } from '../src/accounts/throttle.ts';
import {
  changePassword,
  createManagerWithPassword,
  listManagers,
  removeManager,
  setManagerEnabled,
  setManagerRole,
  setPassword,
  verifyManagerPassword,
} from '../src/accounts/index.ts';
import { domainCandidates } from '../src/oauth/domain-input.ts';

const argon2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };


t.test('password policy (NIST SP 800-63B): length, blocklist, context words, no composition rules', async (t) => {
  t.match(passwordProblem(''), /empty/);
  t.match(passwordProblem('Short-1'), /too short/);
  t.match(passwordProblem('a'.repeat(11)), /too short/, '11 characters');
  t.match(passwordProblem('aaaaaaaaaaaaaaa'), /repeated/);
  t.equal(passwordProblem('alllowercaseletters'), null, 'no composition rule: lower-case letters only is fine');
  t.equal(passwordProblem('correct horse battery staple'), null, 'a passphrase of words and spaces is fine');
  t.equal(passwordProblem('Correct-Horse-Battery-9'), null);
  t.equal(passwordProblem('x'.repeat(127) + 'y'), null, '128 characters accepted');
  t.match(passwordProblem('x'.repeat(128) + 'y'), /too long/, '129 characters refused');
  t.equal(passwordProblem('🔑'.repeat(11) + 'ab'), null, 'length counts characters, not bytes');
  for (const common of ['123456789012', 'password1234', 'PasswordPassword', 'qwertyuiopasdfghjkl', '1qaz2wsx3edc']) {
    t.match(passwordProblem(common), /commonly used or breached/, `${common} is on the shipped list`);
  }
  t.match(passwordProblem('alice-Password-1', { username: 'alice' }), /username/);
  t.match(passwordProblem('my-ALICE.SMITH-pass', { username: 'alice.smith' }), /username/);
  t.equal(passwordProblem('a long passphrase 42', { username: 'al' }), null, 'two-letter usernames are not context words');
  t.match(passwordProblem('Welcome-to-Acme-2026', { domain: 'acme' }), /domain/);
  t.match(passwordProblem('contoso rules forever', { domain: 'contoso.example' }), /domain/, 'each label of the domain counts');
  t.equal(passwordProblem('contoso rules forever', { domain: 'acme' }), null);
});

t.test('domain rules and Go-to-domain input', async (t) => {
  t.ok(isValidDomain('acme'));
  t.ok(isValidDomain('tenant-a.example.test'));
  t.notOk(isValidDomain('-acme'));
  t.notOk(isValidDomain('ac me'));
  t.notOk(isValidDomain('a'));
  t.same(domainCandidates(' ACME ', 'login.example.com'), ['acme']);
  t.same(domainCandidates('acme.login.example.com', 'login.example.com'), ['acme.login.example.com', 'acme']);
  t.same(domainCandidates('https://Acme.Login.Example.com/path', 'login.example.com'), ['acme.login.example.com', 'acme']);
  t.same(domainCandidates('   ', 'x'), []);
});

t.test('throttle: per user, per IP, window and success reset, in the database', async (t) => {
  const db = await freshDb(t);
  let now = 1_000_000_000_000;
  const limits = { maxFailuresPerUser: 3, maxFailuresPerIp: 5, windowSeconds: 60, maxFailuresPerClient: 4 };
  const th = new LoginThrottle(db, limits, () => new Date(now));
  for (let i = 0; i < 3; i++) {
    t.match(await th.claimSignIn('t1', i === 0 ? 'Alice' : 'alice', '10.0.0.1'), { ok: true }, `attempt ${i + 1} allowed`);
    now += 1000;
  }
  const blocked = await th.claimSignIn('t1', 'ALICE ', '10.0.0.9');
  t.ok(!blocked.ok && blocked.retryAfter > 0 && blocked.retryAfter <= 60, 'user blocked from any IP');
  t.match(await th.claimSignIn('t2', 'alice', '10.0.0.9'), { ok: true }, 'same username in another tenant is independent');
  // Another instance on the same database sees the same counters.
  const other = new LoginThrottle(db, limits, () => new Date(now));
  t.match(await other.claimSignIn('t1', 'alice', '10.0.0.9'), { ok: false }, 'shared across instances');
  now += 60_000;
  t.match(await th.claimSignIn('t1', 'alice', '10.0.0.9'), { ok: true }, 'window passed');
  await th.signInSucceeded('t1', 'alice', '10.0.0.9');
  t.equal(await db.throttleBucket.count({ where: { bucket: LoginThrottle.userKey('t1', 'alice') } }), 0, 'success clears the user counter');

  for (let i = 0; i < 5; i++) t.match(await th.claimSignIn('t1', `user${i}`, '10.0.0.2'), { ok: true });
  t.match(await th.claimSignIn('t1', 'fresh', '10.0.0.2'), { ok: false }, 'IP blocked after spraying usernames');
  const fresh = await db.throttleBucket.findUnique({ where: { bucket: LoginThrottle.userKey('t1', 'fresh') } });
  t.equal(fresh?.count ?? 0, 0, 'a refused attempt is not counted against the user');

  const c1 = await th.claimClientAuth('slc_x', '10.0.0.3');
  t.match(c1, { ok: true });
  await th.succeeded(c1);
  for (let i = 0; i < 4; i++) t.match(await th.claimClientAuth('slc_x', '10.0.1.1'), { ok: true });
  t.match(await th.claimClientAuth('slc_x', '10.0.1.1'), { ok: false }, 'per client id from one address; the right secret gave its claim back');
  t.match(await th.claimClientAuth('slc_x', '10.0.2.1'), { ok: true }, 'the same client id from another address is still checked (client ids are public)');

  now += 61_000;
  t.ok((await th.sweep()) > 0, 'expired buckets swept');
  t.equal(await db.throttleBucket.count(), 0);
  t.equal(describeWait(1), '1 second');
  t.equal(describeWait(45), '45 seconds');
  t.equal(describeWait(61), '2 minutes');
});

t.test('managers: create, verify, change password, last-admin rule', async (t) => {
  const db = await freshDb(t);
  const deps = { db, config: { argon2 } };
  const tenant = await createTenant(db, { domain: 'Acme', name: 'Acme' });
  t.equal(tenant.domain, 'acme');
  t.ok(await findTenantByDomain(db, ' ACME '), 'domain lookup is case-insensitive');
  await t.rejects(createTenant(db, { domain: 'ACME', name: 'dup' }), { code: 'duplicate_domain' });

  const admin = await createManagerWithPassword(deps, { tenantId: tenant.id, username: 'Alice', password: 'Correct-Horse-Battery-9', role: 'admin' });
  const hash = (await db.manager.findUnique({ where: { id: admin.id } }))!.passwordHash;
  t.match(hash, /^\$argon2id\$/, 'argon2id hash');
  await t.rejects(createManagerWithPassword(deps, { tenantId: tenant.id, username: 'alice', password: 'Correct-Horse-Battery-9', role: 'admin' }), { code: 'duplicate_username' });
  await t.rejects(createManagerWithPassword(deps, { tenantId: tenant.id, username: 'bob', password: 'weak', role: 'admin' }), { code: 'weak_password' });
  await t.rejects(createManagerWithPassword(deps, { tenantId: tenant.id, username: 'bob', password: 'password1234', role: 'admin' }), { code: 'weak_password', message: /breached/ });
  await t.rejects(createManagerWithPassword(deps, { tenantId: tenant.id, username: 'bob', password: `the ${tenant.domain} team rocks`, role: 'admin' }), { code: 'weak_password', message: /domain/ }, 'the tenant domain comes from the database');
  await t.rejects(createManagerWithPassword(deps, { tenantId: tenant.id, username: 'bad name', password: 'Correct-Horse-Battery-9', role: 'admin' }), { code: 'invalid_username' });

  t.match(await verifyManagerPassword(deps, tenant.id, 'ALICE', 'Correct-Horse-Battery-9'), { ok: true, manager: { id: admin.id } });
  t.same(await verifyManagerPassword(deps, tenant.id, 'alice', 'wrong-Password-1'), { ok: false, reason: 'invalid' });
  t.same(await verifyManagerPassword(deps, tenant.id, 'nobody', 'wrong-Password-1'), { ok: false, reason: 'invalid' });

  // Last admin: cannot be removed, demoted or disabled; with a second admin it can.
  await t.rejects(removeManager(db, tenant.id, admin.id), { code: 'last_admin' });
  await t.rejects(setManagerRole(db, tenant.id, admin.id, 'viewer'), { code: 'last_admin' });
  await t.rejects(setManagerEnabled(db, tenant.id, admin.id, false), { code: 'last_admin' });
  const viewer = await createManagerWithPassword(deps, { tenantId: tenant.id, username: 'vic', password: 'Correct-Horse-Battery-9', role: 'viewer', mustChangePassword: true });
  await t.rejects(setManagerRole(db, tenant.id, admin.id, 'viewer'), { code: 'last_admin' }, 'a viewer does not count');
  await setManagerRole(db, tenant.id, viewer.id, 'admin');
  await setManagerEnabled(db, tenant.id, admin.id, false);
  t.same(await verifyManagerPassword(deps, tenant.id, 'alice', 'Correct-Horse-Battery-9'), { ok: false, reason: 'disabled' });
  await t.rejects(removeManager(db, tenant.id, viewer.id), { code: 'last_admin' }, 'disabled admins do not count');
  await setManagerEnabled(db, tenant.id, admin.id, true);
  await removeManager(db, tenant.id, viewer.id);
  t.same((await listManagers(db, tenant.id)).map((m) => m.username), ['Alice']);

  // Other tenant cannot touch this tenant's managers.
  const other = await createTenant(db, { domain: 'other', name: 'Other' });
  await t.rejects(setManagerRole(db, other.id, admin.id, 'viewer'), { code: 'unknown_manager' });
  await t.rejects(setPassword(deps, other.id, admin.id, 'Another-Password-7'), { code: 'unknown_manager' });

  await t.rejects(changePassword(deps, tenant.id, admin.id, 'wrong-Password-1', 'Another-Password-7'), { code: 'wrong_password' });
  await t.rejects(changePassword(deps, tenant.id, admin.id, 'Correct-Horse-Battery-9', 'weak'), { code: 'weak_password' });
  await t.rejects(setPassword(deps, tenant.id, admin.id, `${tenant.domain}-reset-2026`), { code: 'weak_password', message: /domain/ }, 'operator reset follows the same rule');
  await setPassword(deps, tenant.id, admin.id, 'Reset-By-Operator-42', { mustChangePassword: true });
  t.match(await verifyManagerPassword(deps, tenant.id, 'alice', 'Reset-By-Operator-42'), { ok: true, manager: { mustChangePassword: true } });
  await changePassword(deps, tenant.id, admin.id, 'Reset-By-Operator-42', 'Another-Password-7');
  t.match(await verifyManagerPassword(deps, tenant.id, 'alice', 'Another-Password-7'), { ok: true, manager: { mustChangePassword: false } });
});
