import t from 'tap';
import { loadConfig, ConfigError } from '../../src/config.ts';

t.test('defaults work with an empty environment', async (t) => {
  const c = loadConfig({});
  t.equal(c.host, '127.0.0.1');
  t.equal(c.port, 3000);
  t.equal(c.publicUrl, 'http://127.0.0.1:3000');
  t.match(c.databaseUrl, /^file:data/);
  t.same(c.entra.redirectUris, [
    'https://portal.azure.com/TokenAuthorize',
    'https://aad.portal.azure.com/TokenAuthorize',
    'https://entra.microsoft.com/TokenAuthorize',
  ]);
  t.equal(c.tokens.accessTokenTtl, 3600);
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.tokens));
});

t.test('lists are comma separated and trimmed', async (t) => {
  const c = loadConfig({ ENTRA_CLIENT_SECRETS: ' a , b,,', ENTRA_REDIRECT_URIS: 'https://x.example/cb' });
  t.same(c.entra.clientSecrets, ['a', 'b']);
  t.same(c.entra.redirectUris, ['https://x.example/cb']);
});

t.test('access token lifetime must stay within 60 minutes to 6 hours', async (t) => {
  t.throws(() => loadConfig({ ACCESS_TOKEN_TTL: "3599" }), /ACCESS_TOKEN_TTL/);
  t.ok(catchErr(() => loadConfig({ ACCESS_TOKEN_TTL: "21601" })) instanceof ConfigError);
  t.equal(loadConfig({ ACCESS_TOKEN_TTL: '7200' }).tokens.accessTokenTtl, 7200);
});

t.test('bad values are refused with the variable name', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc' }), /PORT/);
  t.throws(() => loadConfig({ PUBLIC_URL: 'ftp://x' }), /PUBLIC_URL/);
  t.throws(() => loadConfig({ ENTRA_REDIRECT_URIS: 'not a url' }), /ENTRA_REDIRECT_URIS/);
});

t.test('overrides merge into sections', async (t) => {
  const c = loadConfig({}, { scim: { maxResults: 5 } });
  t.equal(c.scim.maxResults, 5);
  t.equal(c.scim.defaultCount, 100);
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

t.test('.env.example lists every variable config.ts reads', async (t) => {
  const fs = await import('node:fs');
  const src = fs.readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
  const example = fs.readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const read = new Set([...src.matchAll(/env(?:\.|, ')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
  const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  t.ok(read.size >= 20, `found ${read.size} variables in config.ts`);
  for (const v of read) t.ok(listed.has(v), `${v} is documented in .env.example`);
});

t.test('activity recording is on unless switched off explicitly', async (t) => {
  t.equal(loadConfig({}).activityRecording, true);
  t.equal(loadConfig({ ACTIVITY_RECORDING: 'off' }).activityRecording, false);
  t.equal(loadConfig({ ACTIVITY_RECORDING: ' ON ' }).activityRecording, true);
  t.throws(() => loadConfig({ ACTIVITY_RECORDING: 'maybe' }), /ACTIVITY_RECORDING/);
});
