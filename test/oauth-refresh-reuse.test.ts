// Refresh-token rotation (RFC 9700 §4.14.2): a retry with the rotated token inside
// REFRESH_TOKEN_GRACE gets the successor already issued (one live chain per grant); any reuse after
// the window revokes the whole grant, including the current successor.
import t from 'tap';
import { startServer, type TestServer } from './helpers/server.ts';
import { obtainTokens, seedTenant, storedTokenId, tokenRequest } from './helpers/oauth.ts';

const PW = 'Correct-Horse-Battery-9';

async function liveRefreshTokens(server: TestServer, grantId: string): Promise<number> {
  return server.app.db.oidcPayload.count({ where: { type: 'RefreshToken', grantId, consumedAt: null } });
}

async function grantOf(server: TestServer, accessToken: string): Promise<string> {
  const r = await server.app.oauth.resolveToken(accessToken);
  if (!r.ok || !r.grantId) throw new Error('token does not resolve');
  return r.grantId;
}

const scimStatus = async (server: TestServer, token: string) =>
  (await fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status;

t.test('replay inside the grace window returns the same successor; the grant keeps one chain', async (t) => {
  const server = await startServer(t, { REFRESH_TOKEN_GRACE: '3600' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tokens = await obtainTokens(server, { domain: 'acme', username: 'admin', password: PW });
  const grantId = await grantOf(server, tokens.access_token);

  const first = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  t.equal(first.status, 200);
  const successor = String(first.json.refresh_token);
  t.not(successor, tokens.refresh_token, 'rotated');

  // The response was "lost": the client retries with the rotated token, twice, one of them in parallel.
  const [retry1, retry2] = await Promise.all([
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
  ]);
  for (const r of [retry1, retry2]) {
    t.equal(r.status, 200, 'retry inside the window accepted');
    t.equal(r.json.refresh_token, successor, 'the same successor, not a second chain');
    t.equal(await scimStatus(server, String(r.json.access_token)), 200, 'its access token works');
  }
  t.equal(await liveRefreshTokens(server, grantId), 1, 'exactly one live refresh token on the grant');

  const row = await server.app.db.oidcPayload.findUnique({ where: { type_id: { type: 'RefreshToken', id: storedTokenId(server, tokens.refresh_token!) } } });
  t.ok(row?.successor, 'successor recorded against the rotated token');
  t.notOk(row!.successor!.includes(successor), 'but not in clear');

  const next = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: successor });
  t.equal(next.status, 200, 'the successor refreshes normally');
  t.not(next.json.refresh_token, successor);
  t.equal(await liveRefreshTokens(server, grantId), 1);
});

t.test('concurrent first uses of one refresh token also converge on one successor', async (t) => {
  const server = await startServer(t, { REFRESH_TOKEN_GRACE: '3600' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tokens = await obtainTokens(server, { domain: 'acme', username: 'admin', password: PW });
  const grantId = await grantOf(server, tokens.access_token);
  const answers = await Promise.all(
    Array.from({ length: 4 }, () => tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })),
  );
  t.same(answers.map((a) => a.status), [200, 200, 200, 200]);
  t.equal(new Set(answers.map((a) => a.json.refresh_token)).size, 1, 'one successor for all');
  t.equal(await liveRefreshTokens(server, grantId), 1);
});

t.test('reuse after the grace window revokes the grant: invalid_grant, and the current successor dies', async (t) => {
  const server = await startServer(t, { REFRESH_TOKEN_GRACE: '3600' });
  await seedTenant(server, { domain: 'acme', managers: [{ username: 'admin', password: PW }] });
  const tokens = await obtainTokens(server, { domain: 'acme', username: 'admin', password: PW });
  const grantId = await grantOf(server, tokens.access_token);
  const r1 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  const r2 = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(r1.json.refresh_token) });
  t.equal(r2.status, 200);
  const current = String(r2.json.refresh_token);
  const currentAccess = String(r2.json.access_token);

  // The first token was consumed longer ago than the window (moved back in the database rather than waited for).
  await server.app.db.oidcPayload.update({
    where: { type_id: { type: 'RefreshToken', id: storedTokenId(server, tokens.refresh_token!) } },
    data: { consumedAt: new Date(Date.now() - 3601_000) },
  });
  const replay = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
  t.equal(replay.status, 400);
  t.equal(replay.json.error, 'invalid_grant', 'stale reuse refused');

  const afterwards = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: current });
  t.equal(afterwards.json.error, 'invalid_grant', 'the current successor no longer refreshes');
  t.equal(await scimStatus(server, currentAccess), 401, 'and its access token is revoked');
  t.equal(await server.app.db.oidcPayload.count({ where: { OR: [{ grantId }, { type: 'Grant', id: grantId }] } }), 0, 'nothing of the grant is left');
  t.ok((await server.app.db.connection.findUnique({ where: { grantId } }))?.revokedAt, 'connection shown as revoked');
});
