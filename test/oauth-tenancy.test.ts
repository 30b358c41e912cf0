// Provider side of tenancy: every token bound to exactly one tenant; revocation,
// Disconnect and tenant disable take effect on the next request; client-credentials clients; the
// console's first-party OIDC client.
import crypto from 'node:crypto';
import t from 'tap';
import { startServer } from './helpers/server.ts';
import { DEFAULT_REDIRECT, authorizeOverHttp, obtainTokens, seedTenant, storedTokenId, tokenRequest } from './helpers/oauth.ts';
import { loadDataKey } from '../src/secrets/data-key.ts';
import { deleteApiClient, setTenantEnabled } from '../src/accounts/revocations.ts';
import { createChanges } from '../src/accounts/events.ts';
import { createConsoleSession, loadConsoleSession } from '../src/db/console-sessions.ts';
import { addSecret, createClient, listClients, revokeSecret } from '../src/db/api-clients.ts';
import { CONSOLE_CLIENT_ID, buildConsoleAuthorizeUrl, pkcePair } from '../src/oauth/index.ts';

const PW = 'Correct-Horse-Battery-9';

t.test('tokens resolve to their own tenant only; revocation and disable act at once', async (t) => {
  const server = await startServer(t, { TOKEN_CACHE_MS: '60000' });
  const oauth = server.app.oauth;
  const a = await seedTenant(server, { domain: 'tenant-a', managers: [{ username: 'admin', password: PW }] });
  const b = await seedTenant(server, { domain: 'tenant-b', managers: [{ username: 'admin', password: PW }] });
  const ta = await obtainTokens(server, { domain: 'tenant-a', username: 'admin', password: PW });
  const tb = await obtainTokens(server, { domain: 'tenant-b', username: 'admin', password: PW });

  const ra = await oauth.resolveToken(ta.access_token);
  const rb = await oauth.resolveToken(tb.access_token);
  t.match(ra, { ok: true, tenantId: a.tenant.id });
  t.match(rb, { ok: true, tenantId: b.tenant.id });
  t.not(a.tenant.id, b.tenant.id);
  t.same(await oauth.resolveToken('not-a-token'), { ok: false, reason: 'unknown' });
  t.same(await oauth.resolveToken(''), { ok: false, reason: 'missing' });
  t.same(await oauth.resolveToken(ta.refresh_token!), { ok: false, reason: 'unknown' }, 'a refresh token is not a bearer token');

  // SCIM sees the same: A's token works, a made-up one is 401.
  const scim = (token: string) => fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
  t.equal((await scim(ta.access_token)).status, 200, 'SCIM accepts a code-grant token');
  t.equal((await scim('nope')).status, 401);

  // Disconnect (console): the grant and all its tokens, even while the resolution is cached.
  t.match(await oauth.resolveToken(ta.access_token), { ok: true });
  await oauth.revokeGrant(ra.ok ? ra.grantId! : '');
  t.match(await oauth.resolveToken(ta.access_token), { ok: false }, 'revoked grant: token refused at once (cache invalidated)');
  t.equal((await scim(ta.access_token)).status, 401, 'next SCIM request after Disconnect is 401');
  const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: ta.refresh_token! });
  t.equal(refresh.json.error, 'invalid_grant', 'refresh after Disconnect refused');
  const conn = await server.app.db.connection.findUnique({ where: { grantId: ra.ok ? ra.grantId! : '' } });
  t.ok(conn?.revokedAt, 'connection marked revoked');
  t.match(await oauth.resolveToken(tb.access_token), { ok: true, tenantId: b.tenant.id }, 'other tenant unaffected');

  // Tenant disabled: its tokens and grants are revoked at once (refresh refused too), and
  // re-enabling the tenant does not revive them.
  await setTenantEnabled(server.app, b.tenant.id, false); // notifies this app's token cache itself
  t.same(await oauth.resolveToken(tb.access_token), { ok: false, reason: 'unknown' });
  t.equal((await scim(tb.access_token)).status, 401);
  const rr = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tb.refresh_token! });
  t.equal(rr.json.error, 'invalid_grant', 'disabled tenant cannot refresh');
  t.equal(await server.app.db.oidcPayload.count({ where: { grantId: rb.ok ? rb.grantId! : '' } }), 0, 'no token of the tenant left');
  t.ok((await server.app.db.connection.findUnique({ where: { grantId: rb.ok ? rb.grantId! : '' } }))?.revokedAt, 'its connection marked revoked');
  await setTenantEnabled(server.app, b.tenant.id, true);
  t.same(await oauth.resolveToken(tb.access_token), { ok: false, reason: 'unknown' }, 're-enabled tenant: old access token stays dead');
  const again = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tb.refresh_token! });
  t.equal(again.json.error, 'invalid_grant', 're-enabled tenant: old refresh token stays dead');
  const fresh = await obtainTokens(server, { domain: 'tenant-b', username: 'admin', password: PW });
  t.match(await oauth.resolveToken(fresh.access_token), { ok: true, tenantId: b.tenant.id }, 'a new authorization works');

  // Expired token.
  const tc = await obtainTokens(server, { domain: 'tenant-a', username: 'admin', password: PW });
  const rowId = storedTokenId(server, tc.access_token);
  const row = await server.app.db.oidcPayload.findFirst({ where: { type: 'AccessToken', id: rowId } });
  const payload = JSON.parse(row!.payload);
  payload.exp = Math.floor(Date.now() / 1000) - 5;
  await server.app.db.oidcPayload.update({ where: { type_id: { type: 'AccessToken', id: rowId } }, data: { payload: JSON.stringify(payload) } });
  t.same(await oauth.resolveToken(tc.access_token), { ok: false, reason: 'expired' });
});

t.test('cross-process changes are seen within TOKEN_CACHE_MS', async (t) => {
  const server = await startServer(t, { TOKEN_CACHE_MS: '150' });
  const a = await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tok = await obtainTokens(server, { domain: 'acme', username: 'admin', password: PW });
  t.match(await server.app.oauth.resolveToken(tok.access_token), { ok: true });
  // As the CLI in another process would: no change notice reaches this process.
  await server.app.db.tenant.update({ where: { id: a.tenant.id }, data: { enabled: false } });
  await new Promise((r) => setTimeout(r, 200));
  t.same(await server.app.oauth.resolveToken(tok.access_token), { ok: false, reason: 'tenant_disabled' });
});

t.test('client credentials: API clients bound to their tenant', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const a = await seedTenant(server, { domain: 'tenant-a', managers: [{ username: 'admin', password: PW }] });
  const b = await seedTenant(server, { domain: 'tenant-b', managers: [{ username: 'admin', password: PW }] });
  const { client, secret } = await createClient(db, a.tenant.id, 'Entra provisioning', 'admin');
  t.match(client.id, /^slc_/);
  t.equal(client.secrets.length, 1);
  t.equal(client.secrets[0].hint, secret.slice(-4));
  const stored = await db.apiClientSecret.findFirst({ where: { clientId: client.id } });
  t.not(stored!.secretHash, secret, 'secret stored hashed');

  const cc = (s: string, method: 'basic' | 'post' = 'basic', extra: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'client_credentials', ...extra }, { method, clientId: client.id, secret: s });
  const r1 = await cc(secret);
  t.equal(r1.status, 200, 'client_secret_basic');
  t.equal(r1.json.expires_in, 3600);
  t.equal(r1.json.token_type, 'Bearer');
  t.ok(String(r1.json.access_token).length < 1024);
  t.equal((await cc(secret, 'post', { scope: 'scim' })).status, 200, 'client_secret_post with scope=scim');
  const res = await server.app.oauth.resolveToken(String(r1.json.access_token));
  t.match(res, { ok: true, tenantId: a.tenant.id, clientId: client.id, grantId: null });
  const scim = await fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${r1.json.access_token}` } });
  t.equal(scim.status, 200, 'SCIM accepts a client-credentials token');
  t.equal((await cc('wrong-secret')).json.error, 'invalid_client');
  const code = await tokenRequest(server, { grant_type: 'authorization_code', code: 'x', redirect_uri: DEFAULT_REDIRECT }, { clientId: client.id, secret });
  t.ok(code.status >= 400, 'API clients cannot use the code grant');

  // Second secret, then a third is refused; the other tenant cannot touch this client.
  const s2 = await addSecret(db, a.tenant.id, client.id);
  t.equal((await cc(s2.secret)).status, 200, 'second secret works');
  await t.rejects(addSecret(db, a.tenant.id, client.id), { code: 'limit_reached' });
  await t.rejects(addSecret(db, b.tenant.id, client.id), { code: 'unknown_client' }, 'tenant-scoped');
  await t.rejects(revokeSecret(db, b.tenant.id, client.id, s2.id), { code: 'unknown_client' });
  t.same(await listClients(db, b.tenant.id), [], 'other tenant lists nothing');

  await revokeSecret(db, a.tenant.id, client.id, client.secrets[0].id);
  t.equal((await cc(secret)).json.error, 'invalid_client', 'revoked secret refused');
  t.equal((await cc(s2.secret)).status, 200, 'remaining secret still works');
  const s3 = await addSecret(db, a.tenant.id, client.id);
  t.ok(s3.secret, 'a slot is free again after revoking');

  // Expired secret refused.
  await db.apiClientSecret.update({ where: { id: s3.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  t.equal((await cc(s3.secret)).json.error, 'invalid_client', 'expired secret refused');

  await t.rejects(deleteApiClient(server.app, b.tenant.id, client.id), { code: 'unknown_client' });
  t.match(await server.app.oauth.resolveToken(String(r1.json.access_token)), { ok: true }, 'cached before the delete');
  await deleteApiClient(server.app, a.tenant.id, client.id);
  t.match(await server.app.oauth.resolveToken(String(r1.json.access_token)), { ok: false }, 'tokens of a deleted client stop resolving');
  t.equal((await cc(s2.secret)).json.error, 'invalid_client', 'deleted client refused');
});

t.test('console client: code + PKCE through the same pages, no consent, manager claims', async (t) => {
  const server = await startServer(t);
  const a = await seedTenant(server, {
    domain: 'acme',
    name: 'Acme',
    managers: [{ username: 'admin', password: PW }, { username: 'watcher', password: PW, role: 'viewer', mustChangePassword: true }],
  });
  const redirectUri = `${server.url}/console/callback`;
  const { verifier, challenge } = pkcePair();
  const nonce = crypto.randomBytes(8).toString('hex');
  const built = new URL(buildConsoleAuthorizeUrl(server.config, { state: 's1', nonce, challenge }));
  t.equal(built.searchParams.get('client_id'), CONSOLE_CLIENT_ID);

  const flow = await authorizeOverHttp(server, {
    domain: 'acme',
    username: 'watcher',
    password: PW,
    clientId: CONSOLE_CLIENT_ID,
    redirectUri,
    scope: 'openid',
    state: 's1',
    params: { nonce, code_challenge: challenge, code_challenge_method: 'S256' },
  });
  t.same(flow.steps, ['domain', 'login'], 'no consent page for the first-party console; viewers may sign in');
  t.equal(flow.state, 's1');
  const noVerifier = await tokenRequest(server, { grant_type: 'authorization_code', code: flow.code, redirect_uri: redirectUri }, { method: 'none', clientId: CONSOLE_CLIENT_ID });
  t.equal(noVerifier.json.error, 'invalid_grant', 'PKCE required for the console');

  const flow2 = await authorizeOverHttp(server, {
    domain: 'acme', username: 'watcher', password: PW, clientId: CONSOLE_CLIENT_ID, redirectUri, scope: 'openid', state: 's2',
    params: { nonce, code_challenge: challenge, code_challenge_method: 'S256' },
  });
  const tok = await tokenRequest(server, { grant_type: 'authorization_code', code: flow2.code, redirect_uri: redirectUri, code_verifier: verifier }, { method: 'none', clientId: CONSOLE_CLIENT_ID });
  t.equal(tok.status, 200);
  t.notOk(tok.json.refresh_token, 'no refresh token for the console');
  const claims = JSON.parse(Buffer.from(String(tok.json.id_token).split('.')[1], 'base64url').toString());
  t.match(claims, {
    iss: `${server.url}/oauth`,
    aud: CONSOLE_CLIENT_ID,
    sub: a.managers[1].id,
    nonce,
    tenant_id: a.tenant.id,
    tenant_domain: 'acme',
    username: 'watcher',
    role: 'viewer',
    must_change_password: true,
  });
  t.same(await server.app.oauth.resolveToken(String(tok.json.access_token)), { ok: false, reason: 'insufficient_scope' }, 'console tokens are not SCIM tokens');

  // The ID token verifies against the published JWKS.
  const jwks = (await (await fetch(`${server.url}/oauth/jwks`)).json()) as { keys: Array<Record<string, string>> };
  const [h, p, sig] = String(tok.json.id_token).split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
  t.ok(jwk, 'signing key published');
  t.notOk('d' in jwk, 'no private parts in the JWKS');
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url'));
  t.ok(ok, 'ID token signature valid');

  // RP-initiated logout is offered.
  const disco = (await (await fetch(`${server.url}/oauth/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  t.equal(disco.end_session_endpoint, `${server.url}/oauth/logout`);
  t.equal(disco.issuer, `${server.url}/oauth`);
  t.equal(disco.token_endpoint, `${server.url}/oauth/token`);
  t.equal(disco.revocation_endpoint, `${server.url}/oauth/revoke`);
  t.equal(disco.introspection_endpoint, `${server.url}/oauth/introspect`);
  const rfc8414 = await fetch(`${server.url}/.well-known/oauth-authorization-server/oauth`);
  t.equal(rfc8414.status, 200);
  t.equal(((await rfc8414.json()) as Record<string, unknown>).issuer, `${server.url}/oauth`, 'RFC 8414 path form');
});

t.test('signing keys: persisted, rotated, old key still published', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const jwks1 = (await (await fetch(`${server.url}/oauth/jwks`)).json()) as { keys: Array<{ kid: string }> };
  t.equal(jwks1.keys.length, 1);
  t.equal((await db.signingKey.findMany()).length, 1, 'generated on first start and persisted');
  const { createOAuth } = await import('../src/oauth/index.ts');
  const { rotateSigningKey } = await import('../src/db/signing-keys.ts');
  const restarted = await createOAuth({ config: server.config, db, log: server.app.log, changes: createChanges() });
  t.teardown(() => restarted.close());
  t.equal((await db.signingKey.findMany()).length, 1, 'not regenerated on the next start');
  const { kid, retired } = await rotateSigningKey(db, loadDataKey(server.config).key);
  t.same(retired, [jwks1.keys[0].kid]);
  const afterRotation = await createOAuth({ config: server.config, db, log: server.app.log, changes: createChanges() });
  t.teardown(() => afterRotation.close());
  const { ensureSigningKeys } = await import('../src/db/signing-keys.ts');
  const keys = (await ensureSigningKeys(db, loadDataKey(server.config).key)) as Array<{ kid: string }>;
  t.same(keys.map((k) => k.kid), [kid, jwks1.keys[0].kid], 'new key first (signs), previous still published');
});

t.test('expired provider rows are swept', async (t) => {
  const server = await startServer(t);
  const db = server.app.db;
  const { sweepExpiredPayloads } = await import('../src/db/oidc-adapter.ts');
  await db.oidcPayload.create({ data: { type: 'Interaction', id: 'old', payload: '{}', expiresAt: new Date(Date.now() - 1000) } });
  await db.oidcPayload.create({ data: { type: 'Interaction', id: 'live', payload: '{}', expiresAt: new Date(Date.now() + 60_000) } });
  t.equal(await sweepExpiredPayloads(db), 1);
  t.same((await db.oidcPayload.findMany({ where: { type: 'Interaction' } })).map((r) => r.id), ['live']);
});

t.test('behind TLS (https PUBLIC_URL): Secure cookies and https issuer', async (t) => {
  const server = await startServer(t, { PUBLIC_URL: 'https://id.example.test' });
  const local = `http://127.0.0.1:${server.config.port}`;
  const res = await fetch(`${local}/oauth/authorize?client_id=${server.config.entra.clientId}&response_type=code&redirect_uri=${encodeURIComponent(DEFAULT_REDIRECT)}&state=s`, {
    redirect: 'manual',
    headers: { host: 'id.example.test', 'x-forwarded-proto': 'https' },
  });
  t.equal(res.status, 303);
  const cookies = res.headers.getSetCookie();
  t.ok(cookies.length > 0);
  for (const c of cookies) t.match(c, /;\s*secure/i, 'Secure cookie');
  const disco = (await (await fetch(`${local}/oauth/.well-known/openid-configuration`, { headers: { host: 'id.example.test', 'x-forwarded-proto': 'https' } })).json()) as Record<string, string>;
  t.equal(disco.issuer, 'https://id.example.test/oauth');
  t.equal(disco.token_endpoint, 'https://id.example.test/oauth/token');
  t.match(res.headers.get('strict-transport-security') ?? '', /max-age/);
});

t.test('disabling a tenant revokes its client-credentials tokens and console sessions too; enabling revives none', async (t) => {
  const server = await startServer(t, { TOKEN_CACHE_MS: '60000' });
  const a = await seedTenant(server, { domain: 'tenant-a', managers: [{ username: 'admin', password: PW }] });
  const b = await seedTenant(server, { domain: 'tenant-b', managers: [{ username: 'admin', password: PW }] });
  const mine = await createClient(server.app.db, a.tenant.id, 'API', 'admin');
  const theirs = await createClient(server.app.db, b.tenant.id, 'API', 'admin');
  const cc = (c: { client: { id: string }; secret: string }) =>
    tokenRequest(server, { grant_type: 'client_credentials' }, { method: 'basic', clientId: c.client.id, secret: c.secret });
  const token = String((await cc(mine)).json.access_token);
  const other = String((await cc(theirs)).json.access_token);
  t.match(await server.app.oauth.resolveToken(token), { ok: true });
  const session = await createConsoleSession(server.app.db, { tenantId: a.tenant.id, managerId: a.managers[0].id, idToken: null, absoluteTimeoutSeconds: 3600 });
  await setTenantEnabled(server.app, a.tenant.id, false);
  await setTenantEnabled(server.app, a.tenant.id, true);
  t.same(await server.app.oauth.resolveToken(token), { ok: false, reason: 'unknown' }, 'the old token stays revoked after enabling');
  t.match(await server.app.oauth.resolveToken(other), { ok: true, tenantId: b.tenant.id }, 'other tenant untouched');
  t.equal(await loadConsoleSession(server.app.db, session.raw, 3600), null, 'console sessions ended, not revived');
  const fresh = await cc(mine);
  t.equal(fresh.status, 200, 'the API client can fetch a new token');
  t.match(await server.app.oauth.resolveToken(String(fresh.json.access_token)), { ok: true, tenantId: a.tenant.id });
});
