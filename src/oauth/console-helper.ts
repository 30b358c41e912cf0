// For the console: the authorize URL of our own provider for the first-party client,
// with PKCE S256 (required for it). The code is exchanged at POST /oauth/token with
// grant_type=authorization_code, client_id=securelogin-console, redirect_uri, code_verifier (no
// secret: token_endpoint_auth_method none); the ID token carries sub (manager id), tenant_id,
// tenant_domain, tenant_name, username, role, must_change_password.
import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import { CONSOLE_CLIENT_ID, consoleRedirectUris } from './clients.ts';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

export function buildConsoleAuthorizeUrl(config: Config, p: { state: string; nonce: string; challenge: string }): string {
  const u = new URL(`${config.publicUrl}/oauth/authorize`);
  u.searchParams.set('client_id', CONSOLE_CLIENT_ID);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', 'openid');
  u.searchParams.set('redirect_uri', consoleRedirectUris(config).redirectUri);
  u.searchParams.set('state', p.state);
  u.searchParams.set('nonce', p.nonce);
  u.searchParams.set('code_challenge', p.challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  return u.toString();
}
