// Replays ../shared/fixtures/entra-cases.json end to end over real HTTP, with tokens obtained
// through the real Authorize flow. Every case is one assertion named by its id.
//
// Operator-supplied placeholders (`{{name}}` in the fixture), how this harness supplies them:
// - clientId / clientSecret / clientIdB64Secret: the test server's Entra client (TEST_ENV).
// - authCode, authCode2, authCode3: each obtained when first used by driving GET /oauth/authorize
//   → Go-to-domain → login → Allow over HTTP (authorizeCode); the "interactive" cases therefore run.
// - expiredAccessToken: a real access token issued by this server through the same flow (for a
//   second tenant) and then revoked (RFC 7009): a token we once issued that is no longer valid.
//   Access tokens cannot be made to expire within a test (ACCESS_TOKEN_TTL ≥ 3600 s by config),
//   so revocation stands in.
// - accessToken / refreshToken: captured from the fixture's own token cases (A03, A05, A08, A09).
import t from 'tap';
import { startServer, TEST_ENV } from './helpers/server.ts';
import { seedTenant, obtainTokens } from './helpers/oauth.ts';
import { authorizeCode, entraReplayContext, loadCases, runCase } from './helpers/entra-replay.ts';

const cases = loadCases();

t.test('Entra provisioning cycle replay', async (t) => {
  const server = await startServer(t);
  const domain = 'contoso.example.test';
  const username = 'admin';
  const password = 'Correct-Horse-Battery-9';
  await seedTenant(server, { domain, name: 'Contoso', managers: [{ username, password, role: 'admin' }] });
  const expiredDomain = 'fabrikam.example.test';
  await seedTenant(server, { domain: expiredDomain, name: 'Fabrikam', managers: [{ username, password, role: 'admin' }] });
  const clientId = TEST_ENV.ENTRA_CLIENT_ID;
  const clientSecret = TEST_ENV.ENTRA_CLIENT_SECRETS.split(',')[0];
  const code = () => authorizeCode(server.url, { clientId, redirectUri: 'https://portal.azure.com/TokenAuthorize', domain, username, password });

  const ctx = entraReplayContext({
    clientId,
    clientSecret,
    authCode: code,
    expiredAccessToken: async () => {
      // From another tenant: a second authorization of this tenant would replace the connection
      // the cycle is using (one connection per Entra app) and revoke its tokens.
      const tokens = (await obtainTokens(server, { domain: expiredDomain, username, password })) as { access_token: string };
      const res = await fetch(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.access_token, client_id: clientId, client_secret: clientSecret }).toString(),
      });
      if (res.status !== 200) throw new Error(`revoke failed: ${res.status}`);
      return tokens.access_token;
    },
  });

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
