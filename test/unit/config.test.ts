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

t.test('LOG_LEVEL and LOG_FORMAT accept only their values', async (t) => {
  t.equal(loadConfig({}).logLevel, 'info');
  t.equal(loadConfig({ LOG_LEVEL: ' Debug ' }).logLevel, 'debug');
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) t.equal(loadConfig({ LOG_LEVEL: level }).logLevel, level);
  t.throws(() => loadConfig({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)/);
  t.equal(loadConfig({}).logFormat, 'json');
  t.equal(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  t.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), /LOG_FORMAT/);
});

t.test('time-outs: defaults, bounds, headers within the request time-out', async (t) => {
  t.same(loadConfig({}).lifecycle, { requestTimeoutSeconds: 30, headersTimeoutSeconds: 10, keepAliveTimeoutSeconds: 5, shutdownTimeoutSeconds: 10 });
  t.equal(loadConfig({ REQUEST_TIMEOUT_SECONDS: '4' }).lifecycle.headersTimeoutSeconds, 4, 'headers default follows a shorter request time-out');
  t.throws(() => loadConfig({ REQUEST_TIMEOUT_SECONDS: '5', REQUEST_HEADERS_TIMEOUT_SECONDS: '10' }), /must not exceed REQUEST_TIMEOUT_SECONDS/);
  t.throws(() => loadConfig({ REQUEST_TIMEOUT_SECONDS: '0' }), /REQUEST_TIMEOUT_SECONDS/, 'zero (no time-out) is refused');
  t.throws(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: 'soon' }), /SHUTDOWN_TIMEOUT_SECONDS/);
  t.throws(() => loadConfig({ KEEP_ALIVE_TIMEOUT_SECONDS: '-1' }), /KEEP_ALIVE_TIMEOUT_SECONDS/);
});

t.test('SCIM rate limit: generous defaults, off switch, validated numbers', async (t) => {
  t.same(loadConfig({}).scimRateLimit, { enabled: true, perSecond: 100, burst: 200 });
  t.equal(loadConfig({ SCIM_RATE_LIMIT: 'off' }).scimRateLimit.enabled, false);
  t.same(loadConfig({ SCIM_RATE_LIMIT_PER_SECOND: '30', SCIM_RATE_LIMIT_BURST: '60' }).scimRateLimit, { enabled: true, perSecond: 30, burst: 60 });
  t.throws(() => loadConfig({ SCIM_RATE_LIMIT_PER_SECOND: '0' }), /SCIM_RATE_LIMIT_PER_SECOND/);
  t.throws(() => loadConfig({ SCIM_RATE_LIMIT: 'sometimes' }), /SCIM_RATE_LIMIT/);
});
