// SSO configuration through the real CLI (`sso show|saml|oidc|off`, `app create`) against the
// database of a running server, metadata from a file and from a local URL (reachable, refused,
// oversize), certificate rollover, the encrypted OIDC client secret and the SP metadata endpoint.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import t from 'tap';
import { startServer, freePort } from './helpers/server.ts';
import { FakeEntraSaml, keyPair } from './helpers/fake-entra-saml.ts';
import { createTenant } from '../src/db/tenants.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { loadCerts, loadSsoConfig, oidcClientSecret } from '../src/sso/config-store.ts';
import { findApp, appSecretMatches } from '../src/sso/apps.ts';
import { fetchMetadata } from '../src/sso/metadata.ts';
import { runSsoCommand } from '../src/cli-sso.ts';
import { runCli } from './helpers/cli.ts';

const TID = '11111111-2222-3333-4444-555555555555';

const cli = runCli;

const kv = (out: string) => Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));

t.test('sso and app commands', async (t) => {
  const server = await startServer(t);
  const tenant = await createTenant(server.app.db, { domain: 'acme', name: 'Acme' });
  // A connection of our own per check: what the CLI processes committed, read afresh.
  let current: Db | null = null;
  const fresh = async () => {
    await current?.$disconnect();
    current = createDb(server.config.databaseUrl);
    return current;
  };
  t.teardown(() => current?.$disconnect());
  const env = { DATABASE_URL: server.config.databaseUrl, PUBLIC_URL: server.url };
  const run = (args: string[], stdin?: string) => cli(env, args, stdin);
  // The same command code in this process, for the error paths (a process costs seconds here).
  const inproc = async (args: string[], stdin = '') => {
    let stdout = '';
    try {
      await runSsoCommand(args, server.config, await fresh(), (x) => (stdout += `${x}\n`), async () => stdin);
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      return { code: 1, stdout, stderr: `error: ${(err as Error).message.split('\n')[0]}\n` };
    }
  };
  const oneLineError = (r: { code: number; stderr: string }, re: RegExp, what: string) => {
    t.not(r.code, 0, `${what}: non-zero exit`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    t.match(r.stderr, re, what);
  };

  // sso show before anything is configured: the URLs to paste into Entra, keyed by tenant id.
  let r = await run(['sso', 'show', 'ACME']);
  t.equal(r.code, 0, r.stderr);
  let show = kv(r.stdout);
  const base = `${server.url}/sso/${tenant.id}`;
  t.same(
    { entity_id: show.entity_id, metadata_url: show.metadata_url, acs_url: show.acs_url, sign_on_url: show.sign_on_url, logout_url: show.logout_url, oidc_redirect_uri: show.oidc_redirect_uri },
    { entity_id: `${base}/saml`, metadata_url: `${base}/saml/metadata`, acs_url: `${base}/saml/acs`, sign_on_url: `${base}/saml/login`, logout_url: `${base}/saml/slo`, oidc_redirect_uri: `${server.url}/sso/oidc/callback` },
  );
  t.equal(show.protocol, 'off');

  // SP metadata at the advertised URL.
  const md = await fetch(show.metadata_url);
  t.equal(md.status, 200);
  const mdXml = await md.text();
  t.match(mdXml, `entityID="${base}/saml"`);
  t.match(mdXml, `Location="${base}/saml/acs"`);
  t.match(mdXml, 'WantAssertionsSigned="true"');

  // Metadata from a file with two signing certificates (rollover): both pinned with expiry.
  const idp = new FakeEntraSaml(TID);
  const dir = fs.mkdtempSync(path.join(server.dir, 'md-'));
  const file = path.join(dir, 'federationmetadata.xml');
  fs.writeFileSync(file, idp.metadataXml([keyPair('idp-a').cert, keyPair('idp-a2').cert]));
  r = await run(['sso', 'saml', 'acme', '--metadata-file', file, '--match', 'externalId', '--allow-idp-initiated']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /2 signing certificate/);
  let cfg = await loadSsoConfig(await fresh(), tenant.id);
  t.equal(cfg?.protocol, 'saml');
  t.equal(cfg?.idpEntityId, `https://sts.windows.net/${TID}/`);
  t.equal(cfg?.entraTenantId, TID);
  t.equal(cfg?.matchAttribute, 'externalId');
  t.equal(cfg?.allowIdpInitiated, true);
  t.equal((await loadCerts(await fresh(), tenant.id)).length, 2);
  r = await inproc(['sso', 'show', 'acme']);
  show = kv(r.stdout);
  t.equal(show.protocol, 'saml');
  t.equal(show.match, 'externalId');
  t.equal(r.stdout.split('\n').filter((l) => l.startsWith('certificate: ')).length, 2, 'both certificates listed with expiry');
  t.match(r.stdout, /certificate: [0-9A-F:]+ expires 20\d\d-/);

  // Metadata from a URL: reachable, then refused connection and over-size, each one line.
  await idp.start(() => '');
  t.teardown(() => idp.stop());
  r = await run(['sso', 'saml', 'acme', '--metadata-url', `${idp.url}/${TID}/federationmetadata/2007-06/federationmetadata.xml?appid=x`]);
  t.equal(r.code, 0, r.stderr);
  cfg = await loadSsoConfig(await fresh(), tenant.id);
  t.equal(cfg?.idpSsoUrl, `${idp.url}/${TID}/saml2`);
  t.equal(cfg?.matchAttribute, 'userName', 'default match rule');
  t.equal(cfg?.allowIdpInitiated, false, 'IdP-initiated is opt-in');
  t.equal((await loadCerts(await fresh(), tenant.id)).length, 1, 'certificates replaced by the new metadata');
  const closed = await freePort();
  oneLineError(await run(['sso', 'saml', 'acme', '--metadata-url', `http://127.0.0.1:${closed}/md.xml`]), /could not fetch metadata from http:\/\/127\.0\.0\.1:\d+\/md\.xml: ECONNREFUSED/, 'unreachable metadata URL');
  oneLineError(await inproc(['sso', 'saml', 'acme', '--metadata-file', path.join(dir, 'missing.xml')]), /cannot read .*missing\.xml: ENOENT/, 'missing file');
  fs.writeFileSync(path.join(dir, 'doctype.xml'), `<!DOCTYPE x [<!ENTITY a "b">]>${idp.metadataXml()}`);
  oneLineError(await inproc(['sso', 'saml', 'acme', '--metadata-file', path.join(dir, 'doctype.xml')]), /DOCTYPE/, 'DOCTYPE refused');
  oneLineError(await inproc(['sso', 'saml', 'acme']), /exactly one of --metadata-file/, 'no source');
  oneLineError(await inproc(['sso', 'saml', 'acme', '--metadata-file', file, '--match', 'upn']), /--match must be one of userName, externalId, email/, 'bad match');

  // Size cap and time-out of the fetcher, against a local server.
  const big = http.createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(200).end('x'.repeat(4096));
  });
  await new Promise<void>((res) => big.listen(0, '127.0.0.1', res));
  t.teardown(() => {
    big.closeAllConnections();
    big.close();
  });
  const bigUrl = `http://127.0.0.1:${(big.address() as { port: number }).port}`;
  await t.rejects(fetchMetadata(`${bigUrl}/big`, { timeoutMs: 5000, maxBytes: 1024 }), /larger than 1024 bytes/);
  await t.rejects(fetchMetadata(`${bigUrl}/slow`, { timeoutMs: 200, maxBytes: 1024 }), /no answer within 0 s|no answer within/);

  // OIDC: the client secret is stored sealed, never in clear, and opens again.
  r = await run(['sso', 'oidc', 'acme', '--issuer', `https://login.microsoftonline.com/${TID}/v2.0`, '--client-id', 'app-123', '--client-secret-stdin', '--match', 'email'], 'S3cret~value\n');
  t.equal(r.code, 0, r.stderr);
  cfg = await loadSsoConfig(await fresh(), tenant.id);
  t.equal(cfg?.protocol, 'oidc');
  t.equal(cfg?.entraTenantId, TID);
  t.notMatch(cfg?.oidcSecretEnc ?? '', /S3cret/, 'not stored in clear');
  t.equal(oidcClientSecret(server.config, cfg!), 'S3cret~value');
  t.equal((await loadCerts(await fresh(), tenant.id)).length, 0);
  r = await inproc(['sso', 'show', 'acme']);
  show = kv(r.stdout);
  t.equal(show.oidc_client_secret, 'stored encrypted');
  t.notMatch(r.stdout, /S3cret/);
  oneLineError(await inproc(['sso', 'oidc', 'acme', '--issuer', 'https://login.microsoftonline.com/common/v2.0', '--client-id', 'x', '--client-secret-stdin'], 's'), /tenant by its id/, 'common authority refused');
  oneLineError(await inproc(['sso', 'oidc', 'acme', '--issuer', `https://login.microsoftonline.com/${TID}/v2.0`, '--client-id', 'x'], 's'), /--client-secret-stdin/, 'secret flag required');

  r = await inproc(['sso', 'off', 'acme']);
  t.equal(r.code, 0, r.stderr);
  t.equal(await loadSsoConfig(await fresh(), tenant.id), null);
  oneLineError(await inproc(['sso', 'off', 'nope']), /no tenant with domain "nope"/, 'unknown tenant');

  // Apps: confidential (secret shown once, stored hashed) and public.
  r = await run(['app', 'create', 'acme', 'Portal', '--redirect-uri', 'https://portal.example/cb']);
  t.equal(r.code, 0, r.stderr);
  const app = kv(r.stdout);
  t.match(app.client_id, /^sla_/);
  t.match(app.client_secret, /^[A-Za-z0-9_-]{43}$/);
  const row = await findApp(await fresh(), app.client_id);
  t.same(row?.redirectUris, ['https://portal.example/cb']);
  t.notOk(JSON.stringify(row).includes(app.client_secret), 'secret not stored');
  t.ok(appSecretMatches(row!, app.client_secret));
  r = await inproc(['app', 'create', 'acme', 'SPA', '--redirect-uri', 'http://127.0.0.1:5000/cb', '--public']);
  t.equal(r.code, 0, r.stderr);
  t.notOk(kv(r.stdout).client_secret, 'public app has no secret');
  oneLineError(await inproc(['app', 'create', 'acme', 'Bad', '--redirect-uri', 'http://evil.example/cb']), /invalid redirect URI/, 'http redirect refused');
  oneLineError(await inproc(['app', 'create', 'acme', 'None']), /--redirect-uri is required/, 'redirect required');
});
