// The oidc-provider instance: routes, cookies, scopes and claims, lifetimes and the static clients.
// What replaces the library's own decisions (storage, secret comparison, refresh tokens, grants,
// the login prompt) is in provider-overrides.ts with its reasons; the accounts in provider-accounts.ts.
import Provider from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';
import type { LoginThrottle } from '../accounts/throttle.ts';
import { BROKER_CLAIMS, BROKER_SCOPES } from '../sso/broker.ts';
import { SCIM_SCOPE, consoleClientMetadata, entraClientMetadata } from './clients.ts';
import { renderLoggedOut, renderLogout, renderProviderError } from './pages.ts';
import { findAccount } from './provider-accounts.ts';
import {
  adapterClass,
  freshLoginPolicy,
  installOverrides,
  interactionUrl,
  loadExistingGrant,
  ownTokenOnly,
  pkceRequired,
  refreshTokenPolicy,
} from './provider-overrides.ts';

/** A refresh reloads the grant, so the grant must outlive any refresh token; with sliding refresh
 * tokens there is no natural end, so grants are long-lived and die by revocation (Disconnect,
 * /oauth/revoke of the refresh token) instead. */
const GRANT_TTL = 10 * 365 * 86400;
const INTERACTION_TTL = 3600;
const ID_TOKEN_TTL = 600;

export interface ProviderDeps {
  config: Config;
  db: Db;
  jwks: Record<string, unknown>[];
  cookieKeys: string[];
  entraSecrets: string[];
  digest: TokenDigest;
  throttle: LoginThrottle;
}

const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  revocation: '/revoke',
  introspection: '/introspect',
  jwks: '/jwks',
  end_session: '/logout',
};

function cookies(config: Config, keys: string[]) {
  const secure = config.publicUrl.startsWith('https:');
  const cookie = { httpOnly: true, sameSite: 'lax', secure, overwrite: true, signed: true };
  return { keys, long: cookie, short: cookie, names: { session: 'sl_op_session', interaction: 'sl_interaction', resume: 'sl_resume' } };
}

function features() {
  return {
    devInteractions: { enabled: false },
    introspection: { enabled: true, allowedPolicy: ownTokenOnly },
    revocation: { enabled: true, allowedPolicy: ownTokenOnly },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    // Opaque, audience-less access tokens: one indexed read to resolve, revocable at once, about
    // 43 characters (Entra stores the tokens it is given, and Microsoft caps the credentials a
    // provisioning job keeps at 1 KB: a token must stay far below that).
    resourceIndicators: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource: renderLogout, postLogoutSuccessSource: renderLoggedOut },
  };
}

function lifetimes(config: Config) {
  return {
    AccessToken: config.tokens.accessTokenTtl,
    ClientCredentials: config.tokens.accessTokenTtl,
    AuthorizationCode: config.tokens.codeTtl,
    RefreshToken: config.tokens.refreshTokenTtl,
    Grant: GRANT_TTL,
    IdToken: ID_TOKEN_TTL,
    Interaction: INTERACTION_TTL,
    Session: config.tokens.sessionTtl,
  };
}

export function buildProvider(deps: ProviderDeps): Provider {
  const { config, db } = deps;
  const provider = new Provider(`${config.publicUrl}/oauth`, {
    adapter: adapterClass(deps),
    clients: [entraClientMetadata(config, deps.entraSecrets[0]), consoleClientMetadata(config)],
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'RS256' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    responseTypes: ['code'],
    jwks: { keys: deps.jwks },
    cookies: cookies(config, deps.cookieKeys),
    routes: ROUTES,
    scopes: ['openid', 'offline_access', SCIM_SCOPE, ...BROKER_SCOPES.filter((sc) => sc !== 'openid')],
    claims: {
      openid: ['sub', 'tenant_id', 'tenant_domain', 'tenant_name', 'username', 'role', 'must_change_password'],
      ...BROKER_CLAIMS,
    },
    // The console reads its claims from the ID token; SecureLogin apps (sso/broker.ts) may use userinfo.
    conformIdTokenClaims: false,
    features: features(),
    pkce: { required: pkceRequired },
    ...refreshTokenPolicy(config.entra.clientId),
    loadExistingGrant: loadExistingGrant(db),
    findAccount: findAccount(db),
    interactions: { policy: freshLoginPolicy(), url: async (ctx: unknown, interaction: { uid: string }) => interactionUrl(ctx, interaction) },
    ttl: lifetimes(config),
    renderError: renderProviderError,
    clientBasedCORS: () => false,
  });
  // Behind a TLS-terminating proxy the provider must trust X-Forwarded-Proto to build https URLs.
  if (config.publicUrl.startsWith('https:')) provider.proxy = true;
  installOverrides(provider, deps);
  return provider;
}
