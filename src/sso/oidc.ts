// OpenID Connect upstream (Entra v2.0) through openid-client: authorization code with PKCE (S256),
// state and nonce, ID token verified by the library (signature from the issuer's JWKS, iss = the
// configured tenant-specific issuer exactly, aud = our client id, exp/iat, nonce). Our own checks
// on top: tid = the configured Entra tenant, ver = 2.0, oid present (the immutable key; it needs the
// profile scope), xms_edov for email matching.
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createSsoRequest } from '../db/sso-requests.ts';
import { oidcClientSecret, type SsoConfigRow } from './config-store.ts';
import type { UpstreamIdentity } from './match.ts';
import { Refusal } from './refusals.ts';
import { REQUEST_TTL_MS } from './saml-request.ts';

const SCOPE = 'openid profile email';
const cache = new Map<string, { stamp: number; config: Promise<oidc.Configuration> }>();

function isLoopback(u: URL): boolean {
  return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
}

/** Discovery once per configuration (re-read after the tenant's settings change). */
export function clientConfig(appConfig: Config, cfg: SsoConfigRow): Promise<oidc.Configuration> {
  const key = `${cfg.tenantId}`;
  const stamp = cfg.updatedAt.getTime();
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.config;
  const issuer = new URL(cfg.oidcIssuer!);
  const secret = oidcClientSecret(appConfig, cfg);
  // Plain http only for a loopback issuer (local test IdPs); Entra is always https.
  const execute = issuer.protocol === 'http:' && isLoopback(issuer) ? [oidc.allowInsecureRequests] : [];
  const p = oidc.discovery(issuer, cfg.oidcClientId!, secret, oidc.ClientSecretPost(secret), { execute, timeout: 10 });
  p.catch(() => cache.delete(key));
  cache.set(key, { stamp, config: p });
  return p;
}

export async function startOidc(db: Db, appConfig: Config, cfg: SsoConfigRow, input: { redirectUri: string; returnTo: string | null; loginHint?: string | null }) {
  let config: oidc.Configuration;
  try {
    config = await clientConfig(appConfig, cfg);
  } catch (err) {
    throw new Refusal('upstream_error', `discovery: ${(err as Error).message}`);
  }
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  await createSsoRequest(db, { id: state, tenantId: cfg.tenantId, kind: 'oidc', nonce, codeVerifier, returnTo: input.returnTo, expiresAt: new Date(Date.now() + REQUEST_TTL_MS) });
  const params: Record<string, string> = {
    redirect_uri: input.redirectUri,
    scope: SCOPE,
    response_type: 'code',
    // query (the default for code): the answer is a top-level GET, which carries Lax cookies.
    response_mode: 'query',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  if (input.loginHint) params.login_hint = input.loginHint;
  return { url: oidc.buildAuthorizationUrl(config, params).toString(), state };
}

export async function finishOidc(
  appConfig: Config,
  cfg: SsoConfigRow,
  input: { currentUrl: URL; state: string; nonce: string; codeVerifier: string },
): Promise<UpstreamIdentity> {
  let claims: Record<string, unknown>;
  try {
    const config = await clientConfig(appConfig, cfg);
    const tokens = await oidc.authorizationCodeGrant(config, input.currentUrl, { pkceCodeVerifier: input.codeVerifier, expectedState: input.state, expectedNonce: input.nonce, idTokenExpected: true });
    claims = (tokens.claims() ?? {}) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { error?: string; error_description?: string };
    throw new Refusal('upstream_error', (e.error ? `${e.error}: ${e.error_description ?? ''}` : e.message).slice(0, 300));
  }
  const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : null);
  if (str('ver') !== null && str('ver') !== '2.0') throw new Refusal('wrong_issuer', `token version ${str('ver')}`);
  const tid = str('tid');
  if (!cfg.entraTenantId || tid?.toLowerCase() !== cfg.entraTenantId.toLowerCase()) throw new Refusal('wrong_tenant', `tid ${tid}`);
  const oid = str('oid');
  if (!oid) throw new Refusal('no_identifier', 'no oid claim (profile scope)');
  const edov = claims.xms_edov;
  const amr = Array.isArray(claims.amr) ? (claims.amr as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return {
    protocol: 'oidc',
    subject: str('preferred_username') ?? oid,
    userName: str('preferred_username'),
    objectId: oid,
    email: str('email'),
    emailVerified: edov === true || edov === 'true' || edov === 1,
    amr,
    // Entra's front-channel logout names the session by sid (an optional claim): kept to end ours.
    logout: { sid: str('sid') },
  };
}
