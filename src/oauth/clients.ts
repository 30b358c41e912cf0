// The two static clients: Microsoft Entra ID (confidential, code grant) and the console
// (first-party public OIDC client with PKCE). API clients for the
// client-credentials grant are dynamic and come from the ApiClient table (see provider-overrides.ts).
import type { Config } from '../config.ts';

export const CONSOLE_CLIENT_ID = 'securelogin-console';
export const SCIM_SCOPE = 'scim';
export const API_CLIENT_ID_PREFIX = 'slc_';

export function consoleRedirectUris(config: Config) {
  return {
    redirectUri: `${config.publicUrl}/console/callback`,
    postLogoutRedirectUri: `${config.publicUrl}/console/signed-out`,
  };
}

export function entraClientMetadata(config: Config, currentSecret: string) {
  return {
    client_id: config.entra.clientId,
    // Only a placeholder for the provider's metadata validation: compareClientSecret is replaced
    // so that every configured secret is accepted (provider-overrides.ts).
    client_secret: currentSecret,
    client_name: 'Microsoft Entra ID',
    redirect_uris: [...config.entra.redirectUris],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    // Scopes Entra may ask for; it may also send none (Entra case A01: the portal's authorize
    // request has no scope parameter), and the provider adds scim to every Entra authorization
    // request (provider-overrides.ts).
    scope: `openid offline_access ${SCIM_SCOPE}`,
  };
}

export function consoleClientMetadata(config: Config) {
  const u = consoleRedirectUris(config);
  return {
    client_id: CONSOLE_CLIENT_ID,
    client_name: 'SecureLogin console',
    redirect_uris: [u.redirectUri],
    post_logout_redirect_uris: [u.postLogoutRedirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
  };
}

/** Dynamic metadata of a client-credentials API client (ApiClient row). The secret itself is
 * checked against stored hashes, never held here. */
export function apiClientMetadata(row: { id: string; name: string }) {
  return {
    client_id: row.id,
    client_secret: 'verified-against-stored-hashes',
    client_name: row.name,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SCIM_SCOPE,
  };
}
