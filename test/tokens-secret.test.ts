// Long-lived SCIM secret tokens: created by the CLI (a real process on the server's database file)
// or the repository, accepted by SCIM bearer auth, stored only as a hash, expiring, revocable at
// once in this process, last-used time written at most once a minute; and the Entra provisioning
// cycle fixture replayed end to end with such a token instead of an OAuth access token.
import t from 'tap';
import { startServer, type TestServer } from './helpers/server.ts';
import { seedTenant } from './helpers/oauth.ts';
import { loadCases, ReplayContext, runCase } from './helpers/entra-replay.ts';
import { createSecretToken, listSecretTokens, MAX_ACTIVE_TOKENS } from '../src/db/secret-tokens.ts';
import { revokeSecretToken, setTenantEnabled } from '../src/accounts/revocations.ts';
import { runCli } from './helpers/cli.ts';


const cli = (server: TestServer, args: string[]) => runCli({ DATABASE_URL: server.config.databaseUrl }, args);

const scimGet = (server: TestServer, token: string, p = '/Users') =>
  fetch(`${server.url}/scim/v2${p}`, { headers: { authorization: `Bearer ${token}` } });

t.test('CLI token create/list/revoke against the running server', async (t) => {
  // No cache: a revoke from another process (the CLI) is seen on the next request.
  const server = await startServer(t, { TOKEN_CACHE_MS: '0' });
  await seedTenant(server, { domain: 'acme', name: 'Acme' });

  let r = await cli(server, ['token', 'create', 'acme', '--name', 'Entra non-gallery', '--expires-days', '365']);
  t.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  t.match(token, /^slst_[A-Za-z0-9_-]{43}$/, 'the token alone on stdout');
  t.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'one line');

  const res = await scimGet(server, token);
  t.equal(res.status, 200, 'SCIM accepts the secret token');

  const rows = await server.app.db.scimSecretToken.findMany();
  t.equal(rows.length, 1);
  t.not(rows[0].tokenHash, token, 'stored as a hash');
  t.notOk(JSON.stringify(rows).includes(token), 'the value is nowhere in the row');
  t.equal(rows[0].hint, token.slice(-4));
  const days = (rows[0].expiresAt!.getTime() - rows[0].createdAt.getTime()) / 86_400_000;
  t.equal(Math.round(days), 365, 'expiry as asked');

  r = await cli(server, ['token', 'create', 'acme', '--name', 'rotation']);
  t.equal(r.code, 0, r.stderr);
  const second = r.stdout.trim();
  t.equal((await scimGet(server, second)).status, 200, 'several tokens at once');

  r = await cli(server, ['token', 'list', 'acme']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines.length, 2, 'one line per token');
  t.match(r.stdout, /Entra non-gallery\tactive\t…/);
  t.match(r.stdout, /rotation\tactive\t.*expires never/);
  t.notOk(r.stdout.includes(token), 'list never prints a token');

  r = await cli(server, ['connection', 'list', 'acme']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^Secret token\tEntra non-gallery\tauthorized by operator \(CLI\)\tlast refresh never\tlast SCIM request \d{4}-/m, 'used token listed as a live connection');
  t.equal(r.stdout.trim().split('\n').length, 2);

  for (const [args, re] of [
    [['token', 'create', 'acme', '--name', 'x', '--expires-days', '731'], /1 to 730 days/],
    [['token', 'create', 'acme', '--name', 'x', '--expires-days', '0'], /1 to 730 days/],
    [['token', 'create', 'acme'], /--name/],
    [['token', 'create', 'acme', '--name', 'ROTATION'], /already exists/],
    [['token', 'create', 'nope', '--name', 'x'], /no tenant/],
    [['token', 'revoke', 'acme', 'nothing'], /no active secret token named "nothing"/],
    [['token', 'list'], /usage: npm run cli -- token list <domain>/],
  ] as [string[], RegExp][]) {
    const x = await cli(server, args);
    t.not(x.code, 0, `${args.join(' ')}: non-zero exit`);
    t.equal(x.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    t.match(x.stderr, re, args.join(' '));
  }

  r = await cli(server, ['token', 'revoke', 'acme', 'Entra non-gallery']);
  t.equal(r.code, 0, r.stderr);
  const after = await scimGet(server, token);
  t.equal(after.status, 401, 'revoked token refused');
  t.match(after.headers.get('content-type') ?? '', /application\/scim\+json/);
  t.match(await after.text(), /revoked/);
  t.equal((await scimGet(server, second)).status, 200, 'the other token keeps working');
});

t.test('cache: revoke and tenant disable in this process take effect at once; expiry; last used', async (t) => {
  const server = await startServer(t, { TOKEN_CACHE_MS: '60000' });
  const db = server.app.db;
  const { tenant } = await seedTenant(server, { domain: 'globex' });

  const a = await createSecretToken(db, { tenantId: tenant.id, name: 'a', expiresInDays: null, createdBy: null });
  t.equal((await scimGet(server, a.value)).status, 200);
  const used = (await listSecretTokens(db, tenant.id))[0].lastUsedAt;
  t.ok(used, 'last used recorded on first use');
  t.equal((await scimGet(server, a.value)).status, 200, 'cached');
  t.same((await listSecretTokens(db, tenant.id))[0].lastUsedAt, used, 'not rewritten within the minute');
  await revokeSecretToken(server.app, tenant.id, a.token.id);
  t.equal((await scimGet(server, a.value)).status, 401, 'revoked: the cached entry is gone');

  const b = await createSecretToken(db, { tenantId: tenant.id, name: 'b', expiresInDays: 30, createdBy: null });
  t.equal((await scimGet(server, b.value)).status, 200);
  await setTenantEnabled(server.app, tenant.id, false);
  t.equal((await scimGet(server, b.value)).status, 401, 'tenant disabled');
  await setTenantEnabled(server.app, tenant.id, true);
  t.equal((await scimGet(server, b.value)).status, 200);

  const c = await createSecretToken(db, { tenantId: tenant.id, name: 'c', expiresInDays: 1, createdBy: null });
  await db.scimSecretToken.update({ where: { id: c.token.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const expired = await scimGet(server, c.value);
  t.equal(expired.status, 401);
  t.match(await expired.text(), /expired/);

  t.equal((await scimGet(server, 'slst_' + 'x'.repeat(43))).status, 401, 'unknown token with the prefix');

  const other = await seedTenant(server, { domain: 'initech' });
  const d = await createSecretToken(db, { tenantId: other.tenant.id, name: 'd', expiresInDays: null, createdBy: null });
  await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${b.value}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'only.globex@example.com' }),
  });
  const seen = (await (await scimGet(server, d.value, '/Users')).json()) as { totalResults: number };
  t.equal(seen.totalResults, 0, "a token sees its own tenant's users only");

  for (let i = (await listSecretTokens(db, tenant.id)).filter((x) => x.active).length; i < MAX_ACTIVE_TOKENS; i++) {
    await createSecretToken(db, { tenantId: tenant.id, name: `fill-${i}`, expiresInDays: null, createdBy: null });
  }
  await t.rejects(createSecretToken(db, { tenantId: tenant.id, name: 'one too many', expiresInDays: null, createdBy: null }), /at most/);
});

t.test('Entra provisioning cycle replayed with a secret token', async (t) => {
  const server = await startServer(t);
  const { tenant } = await seedTenant(server, { domain: 'contoso.example.test', name: 'Contoso' });
  const live = await createSecretToken(server.app.db, { tenantId: tenant.id, name: 'Entra', expiresInDays: 730, createdBy: null });
  const revoked = await createSecretToken(server.app.db, { tenantId: tenant.id, name: 'old', expiresInDays: null, createdBy: null });
  await revokeSecretToken(server.app, tenant.id, revoked.token.id);

  // A non-gallery app never runs the OAuth flow: only the SCIM cases apply.
  const cases = loadCases().filter((c) => c.target === 'scim');
  t.ok(cases.length > 100, `${cases.length} SCIM cases`);
  const ctx = new ReplayContext({ accessToken: live.value, expiredAccessToken: revoked.value });
  for (const c of cases) {
    let failures: string[];
    try {
      failures = (await runCase(c, ctx, { baseUrl: server.url, scimBase: `${server.url}/scim/v2` })).failures;
    } catch (err) {
      failures = [`harness error: ${(err as Error).message}`];
    }
    t.same(failures, [], `${c.id}: ${c.name}`);
  }
});
