// The console as a first-party OpenID Connect client of our own provider:
// authorization code + PKCE (S256), scope openid, public client (token_endpoint_auth_method none).
//
// The code is exchanged in-process (Fastify inject) rather than over the network: the token
// response then comes straight from our own provider with no network hop, so nothing can tamper
// with it, and a TLS-terminating proxy in front of PUBLIC_URL does not need to be reachable from
// the server itself (hairpin). OIDC Core §3.1.3.7 (6) lets a client rely on the direct, server-
// authenticated token-endpoint channel instead of checking the ID token's signature; we still
// check iss, aud, nonce and exp, which is what binds the token to this browser's sign-in.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { CONSOLE_CLIENT_ID, buildConsoleAuthorizeUrl, consoleRedirectUris } from '../oauth/index.ts';

export { CONSOLE_CLIENT_ID };

export interface ProviderEndpoints {
  issuer: string;
  authorization: string;
  token: string;
  endSession: string | null;
}

export interface IdClaims {
  sub: string;
  tenant_id?: string;
  username?: string;
  role?: string;
  must_change_password?: boolean;
  nonce?: string;
  [k: string]: unknown;
}

export class SignInError extends Error {}

function forwardedHeaders(config: Config): Record<string, string> {
  const u = new URL(config.publicUrl);
  return { host: u.host, 'x-forwarded-proto': u.protocol.replace(':', ''), 'x-forwarded-host': u.host };
}

export function createOidcClient(app: FastifyInstance, config: Config) {
  let cached: ProviderEndpoints | null = null;
  const issuer = `${config.publicUrl}/oauth`;

  async function endpoints(): Promise<ProviderEndpoints> {
    if (cached) return cached;
    const res = await app.inject({ method: 'GET', url: '/oauth/.well-known/openid-configuration', headers: forwardedHeaders(config) });
    if (res.statusCode !== 200) {
      // Provider not answering discovery: fall back to the fixed /oauth paths the provider is mounted on.
      return { issuer, authorization: `${issuer}/authorize`, token: `${issuer}/token`, endSession: null };
    }
    const d = res.json() as Record<string, string>;
    cached = {
      issuer: d.issuer ?? issuer,
      authorization: d.authorization_endpoint ?? `${issuer}/authorize`,
      token: d.token_endpoint ?? `${issuer}/token`,
      endSession: d.end_session_endpoint ?? null,
    };
    return cached;
  }

  async function authorizeUrl(p: { state: string; nonce: string; challenge: string }): Promise<string> {
    return buildConsoleAuthorizeUrl(config, p);
  }

  async function exchangeCode(code: string, verifier: string, nonce: string): Promise<{ claims: IdClaims; idToken: string }> {
    const e = await endpoints();
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: consoleRedirectUris(config).redirectUri,
      client_id: CONSOLE_CLIENT_ID,
      code_verifier: verifier,
    }).toString();
    const res = await app.inject({
      method: 'POST',
      url: new URL(e.token).pathname,
      headers: { ...forwardedHeaders(config), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      payload: body,
    });
    if (res.statusCode !== 200) {
      let err = 'token_error';
      try {
        err = String((res.json() as { error?: string }).error ?? err);
      } catch {
        /* not JSON */
      }
      throw new SignInError(`token endpoint refused the code (${err})`);
    }
    const tokens = res.json() as { id_token?: string };
    if (!tokens.id_token) throw new SignInError('token response carried no id_token');
    const claims = decodeJwtPayload(tokens.id_token);
    const now = Math.floor(Date.now() / 1000);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== e.issuer) throw new SignInError('id_token issuer mismatch');
    if (!aud.includes(CONSOLE_CLIENT_ID)) throw new SignInError('id_token audience mismatch');
    if (claims.nonce !== nonce) throw new SignInError('id_token nonce mismatch');
    if (typeof claims.exp !== 'number' || claims.exp < now - 60) throw new SignInError('id_token expired');
    if (typeof claims.sub !== 'string' || !claims.sub) throw new SignInError('id_token has no subject');
    return { claims: claims as IdClaims, idToken: tokens.id_token };
  }

  /** RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2); null when the provider has none. */
  async function endSessionUrl(idToken: string | null): Promise<string | null> {
    const e = await endpoints();
    if (!e.endSession) return null;
    const u = new URL(e.endSession);
    if (idToken) u.searchParams.set('id_token_hint', idToken);
    u.searchParams.set('client_id', CONSOLE_CLIENT_ID);
    u.searchParams.set('post_logout_redirect_uri', consoleRedirectUris(config).postLogoutRedirectUri);
    return u.toString();
  }

  return { endpoints, authorizeUrl, exchangeCode, endSessionUrl };
}

export type OidcClient = ReturnType<typeof createOidcClient>;

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new SignInError('malformed id_token');
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SignInError('malformed id_token');
  }
}
