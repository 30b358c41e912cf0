// A copy of the database alone grants nothing: tokens, codes and session ids are stored only as
// keyed digests, and signing keys, cookie/CSRF keys and generated secrets only sealed under the
// data key, which lives in the environment (or, zero-config only, in a 0600 file beside the
// database), never in the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startServer, TEST_ENV, freePort } from './helpers/server.ts';
import { authorizeOverHttp, seedTenant, storedTokenId, tokenRequest, DEFAULT_REDIRECT } from './helpers/oauth.ts';
import { createClient } from '../src/db/api-clients.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { isSealed } from '../src/secrets/seal.ts';
import { sqliteOnly } from './helpers/test-db.ts';
import { testDatabase } from './helpers/test-db.ts';

const PW = 'Correct-Horse-Battery-9';

/** The database as a backup would hold it: the main file and its WAL. */
function rawDatabase(dir: string): Buffer {
  return Buffer.concat(fs.readdirSync(dir).filter((f) => f.startsWith('test.db')).map((f) => fs.readFileSync(path.join(dir, f))));
}

t.test('issued tokens, codes and session ids are absent from the database file; SCIM still works', { skip: sqliteOnly('scans the bytes of the SQLite file') }, async (t) => {
  const server = await startServer(t);
  const { tenant } = await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const auth = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW });
  const sessionCookie = auth.jar.cookies.get('sl_op_session');
  t.ok(sessionCookie, 'the browser holds a provider session');
  const code = await tokenRequest(server, { grant_type: 'authorization_code', code: auth.code, redirect_uri: DEFAULT_REDIRECT });
  t.equal(code.status, 200);
  const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(code.json.refresh_token) });
  t.equal(refreshed.status, 200);
  const { client, secret } = await createClient(server.app.db, tenant.id, 'API', 'admin');
  const cc = await tokenRequest(server, { grant_type: 'client_credentials' }, { method: 'basic', clientId: client.id, secret });
  t.equal(cc.status, 200);

  const raw = rawDatabase(server.dir);
  const secrets: Record<string, string> = {
    'authorization code': auth.code,
    'access token': String(code.json.access_token),
    'refresh token': String(code.json.refresh_token),
    'rotated access token': String(refreshed.json.access_token),
    'successor refresh token': String(refreshed.json.refresh_token),
    'client-credentials token': String(cc.json.access_token),
    'provider session id': sessionCookie!,
  };
  for (const [what, value] of Object.entries(secrets)) {
    t.ok(value.length >= 20, `${what} issued`);
    t.equal(raw.indexOf(value), -1, `${what} is not in the database file`);
  }

  for (const k of await server.app.db.signingKey.findMany()) t.ok(isSealed(k.jwk), `signing key ${k.kid} sealed`);
  t.equal(raw.indexOf('"d":"'), -1, 'no private JWK member in clear');
  for (const key of ['oidc.cookieKeys', 'interaction.csrfKey']) {
    const row = await server.app.db.setting.findUnique({ where: { key } });
    t.ok(row && isSealed(row.value), `${key} sealed`);
  }
  const keyFile = path.join(server.dir, 'secret.key');
  t.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'generated data key file is 0600');
  t.equal(raw.indexOf(fs.readFileSync(keyFile, 'utf8').trim()), -1, 'the data key is not in the database');

  const scim = (token: string) => fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
  t.equal((await scim(String(refreshed.json.access_token))).status, 200, 'SCIM works with the code-grant token');
  t.equal((await scim(String(cc.json.access_token))).status, 200, 'SCIM works with the client-credentials token');

  // The database copied elsewhere, without the key: the server cannot open the sealed keys.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-copy-'));
  t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
  for (const f of fs.readdirSync(server.dir).filter((f) => f.startsWith('test.db'))) fs.copyFileSync(path.join(server.dir, f), path.join(copy, f));
  const copyConfig = loadConfig({ ...TEST_ENV, PORT: String(await freePort()), DATABASE_URL: `file:${path.join(copy, 'test.db')}` });
  await t.rejects(buildApp(copyConfig, { logger: false }), /sealed value cannot be opened/, 'a copy without the data key does not start');
});

t.test('DATA_ENCRYPTION_KEY from the environment: no key file; a malformed key is refused', async (t) => {
  const server = await startServer(t, { DATA_ENCRYPTION_KEY: 'a'.repeat(64) });
  t.notOk(fs.existsSync(path.join(server.dir, 'secret.key')), 'no key file written when the key is configured');
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const auth = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW });
  t.ok(auth.code, 'the flow works under the configured key');
  await t.rejects(startServer(t, { DATA_ENCRYPTION_KEY: 'too-short' }), /DATA_ENCRYPTION_KEY must be 32 bytes/);
});

t.test('upgrade: plaintext keys and secrets left by an older version are sealed on first start', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-upgrade-'));
  const database = testDatabase(dir);
  t.teardown(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = database.url;
  await migrate(url);
  const db = createDb(url);
  const crypto = await import('node:crypto');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'old-kid', use: 'sig', alg: 'RS256' };
  await db.signingKey.create({ data: { kid: 'old-kid', jwk: JSON.stringify(jwk) } });
  await db.setting.create({ data: { key: 'oidc.cookieKeys', value: JSON.stringify(['plain-cookie-key-0123456789']) } });
  await db.setting.create({ data: { key: 'interaction.csrfKey', value: 'plain-csrf-key-0123456789' } });
  await db.$disconnect();

  const port = await freePort();
  const config = loadConfig({ ...TEST_ENV, PORT: String(port), DATABASE_URL: url });
  const app = await buildApp(config, { logger: false });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port });
  const jwks = (await (await fetch(`${config.publicUrl}/oauth/jwks`)).json()) as { keys: Array<{ kid: string }> };
  t.same(jwks.keys.map((k) => k.kid), ['old-kid'], 'the existing signing key is kept');
  const key = await app.db.signingKey.findUnique({ where: { kid: 'old-kid' } });
  t.ok(isSealed(key!.jwk), 'and now stored sealed');
  for (const k of ['oidc.cookieKeys', 'interaction.csrfKey']) {
    const row = await app.db.setting.findUnique({ where: { key: k } });
    t.ok(isSealed(row!.value), `${k} sealed`);
  }
});

t.test('upgrade: tokens stored under their own value by an older version are re-keyed at start and keep working', async (t) => {
  const server = await startServer(t);
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const auth = await authorizeOverHttp(server, { domain: 'acme', username: 'admin', password: PW });
  const tokens = await tokenRequest(server, { grant_type: 'authorization_code', code: auth.code, redirect_uri: DEFAULT_REDIRECT });
  const db = server.app.db;
  // Put the rows back the way the older version wrote them: id = the token, jti in the payload.
  for (const [type, value] of [['AccessToken', String(tokens.json.access_token)], ['RefreshToken', String(tokens.json.refresh_token)]] as const) {
    const row = await db.oidcPayload.findUnique({ where: { type_id: { type, id: storedTokenId(server, value) } } });
    await db.oidcPayload.update({
      where: { type_id: { type, id: row!.id } },
      data: { id: value, payload: JSON.stringify({ ...JSON.parse(row!.payload), jti: value }) },
    });
  }
  const warnings: string[] = [];
  const log = { ...server.app.log, warn: (m: unknown) => warnings.push(String(m)), info: () => undefined, error: () => undefined } as unknown as typeof server.app.log;
  const { createOAuth } = await import('../src/oauth/index.ts');
  const restarted = await createOAuth({ config: server.config, db, log, changes: server.app.changes });
  t.teardown(() => restarted.close());
  t.ok(warnings.some((w) => /DATA_ENCRYPTION_KEY is not set/.test(w) && w.includes('secret.key')), 'start-up warns that production must set the key');
  t.equal(await db.oidcPayload.count({ where: { id: { in: [String(tokens.json.access_token), String(tokens.json.refresh_token)] } } }), 0, 'no row under a token value any more');
  t.match(await restarted.resolveToken(String(tokens.json.access_token)), { ok: true }, 'the access token still resolves');
  const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) });
  t.equal(refreshed.status, 200, 'the refresh token still refreshes');
});
