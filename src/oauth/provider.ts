// oidc-provider configuration (issue 2 §4, issue 4 §1 and §7). Every decision that differs from
// the library default carries its reason here.
import Provider, { interactionPolicy } from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createAdapterClass } from '../db/oidc-adapter.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';
import { findTenantById } from '../db/tenants.ts';
import { findManagerWithTenant } from '../db/managers.ts';
import { findClientForAuth } from '../db/api-clients.ts';
import { parseAccountId } from './accounts-ids.ts';
import {
  API_CLIENT_ID_PREFIX,
  CONSOLE_CLIENT_ID,
  SCIM_SCOPE,
  apiClientMetadata,
  consoleClientMetadata,
  entraClientMetadata,
} from './clients.ts';
import { matchesAny, matchesAnyHash } from './secrets.ts';
import { renderLoggedOut, renderLogout, renderProviderError } from './pages.ts';
import { BROKER_CLAIMS, BROKER_SCOPES, brokerAccount, brokerClient, brokerGrant, brokerSecretMatches, isBrokerClientId } from '../sso/broker.ts';
import { refreshReuse } from './refresh-reuse.ts';
import type { LoginThrottle } from '../accounts/throttle.ts';
import { clientAuthContext, throttledCompare } from './client-auth-throttle.ts';

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

function ownTokenOnly(_ctx: unknown, client: { clientId: string; clientAuthMethod: string }, token: { clientId?: string }) {
  return client.clientAuthMethod !== 'none' && token.clientId === client.clientId;
}

export function buildProvider(deps: ProviderDeps): Provider {
  const { config, db } = deps;
  const entraId = config.entra.clientId;
  const secure = config.publicUrl.startsWith('https:');
  const cookie = { httpOnly: true, sameSite: 'lax', secure, overwrite: true, signed: true };

  // The base Adapter class serves every model; Client lookups for unknown (non-static) ids come
  // from the ApiClient table, so a client created in the console works at once.
  const Base = createAdapterClass(db, { refreshGraceSeconds: config.tokens.refreshGraceSeconds, digest: deps.digest });
  class Adapter extends Base {
    override async find(id: string) {
      if (this.type !== 'Client') return super.find(id);
      if (isBrokerClientId(id)) return brokerClient(db, id);
      if (!id.startsWith(API_CLIENT_ID_PREFIX)) return undefined;
      const c = await findClientForAuth(db, id);
      return c ? apiClientMetadata(c) : undefined;
    }
  }

  const policy = interactionPolicy.base();
  // Every authorization signs in afresh on our pages: the Entra admin must prove, each time, that
  // they are an admin of the tenant being connected, and a console sign-in must never reuse a
  // session whose account is a tenant (an earlier Entra authorization in the same browser).
  policy.get('login').checks.add(
    new interactionPolicy.Check('fresh_login', 'sign-in on the SecureLogin pages is required', (ctx: KoaContextWithOIDC) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
    0,
  );

  const provider = new Provider(`${config.publicUrl}/oauth`, {
    adapter: Adapter,
    clients: [entraClientMetadata(config, deps.entraSecrets[0]), consoleClientMetadata(config)],
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'RS256' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    responseTypes: ['code'],
    jwks: { keys: deps.jwks },
    cookies: {
      keys: deps.cookieKeys,
      long: cookie,
      short: cookie,
      names: { session: 'sl_op_session', interaction: 'sl_interaction', resume: 'sl_resume' },
    },
    routes: {
      authorization: '/authorize',
      token: '/token',
      revocation: '/revoke',
      introspection: '/introspect',
      jwks: '/jwks',
      end_session: '/logout',
    },
    scopes: ['openid', 'offline_access', SCIM_SCOPE, ...BROKER_SCOPES.filter((sc) => sc !== 'openid')],
    claims: {
      openid: ['sub', 'tenant_id', 'tenant_domain', 'tenant_name', 'username', 'role', 'must_change_password'],
      ...BROKER_CLAIMS,
    },
    // The console reads its claims from the ID token; SecureLogin apps (sso/broker.ts) may use userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // A client may introspect and revoke only its own tokens (RFC 7662 §4, RFC 7009 §2.1).
      introspection: { enabled: true, allowedPolicy: ownTokenOnly },
      revocation: { enabled: true, allowedPolicy: ownTokenOnly },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      // Opaque, audience-less access tokens: one indexed read to resolve, revocable at once,
      // ~43 characters (Entra stores tokens; keep them far below 1 KB, entra-protocol.md §1.4).
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: renderLogout, postLogoutSuccessSource: renderLoggedOut },
    },
    // PKCE honoured when sent (plain RFC 6749 clients such as Entra may omit it), required for the
    // public console client.
    pkce: { required: (_ctx: unknown, client: { clientId: string }) => client.clientId === CONSOLE_CLIENT_ID || isBrokerClientId(client.clientId) },
    // Entra gets a refresh token with every code (it does not ask for offline_access).
    issueRefreshToken: async (_ctx: unknown, client: { clientId: string; grantTypeAllowed(g: string): boolean }) =>
      client.clientId === entraId && client.grantTypeAllowed('refresh_token'),
    // Rotation makes refresh tokens sliding; the adapter keeps the previous one usable for
    // config.tokens.refreshGraceSeconds (oidc-adapter.ts), so a lost response does not break the job,
    // and a retry gets the successor already issued (refresh-reuse.ts).
    rotateRefreshToken: (ctx: KoaContextWithOIDC) => ctx.oidc.client?.clientId === entraId,
    // Tokens must not die with the browser session of whoever clicked Authorize.
    expiresWithSession: async () => false,
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const resultGrant = ctx.oidc.result?.consent?.grantId;
      if (resultGrant) return ctx.oidc.provider.Grant.find(resultGrant);
      if (isBrokerClientId(ctx.oidc.client.clientId)) return brokerGrant(db, ctx as never);
      if (ctx.oidc.client.clientId !== CONSOLE_CLIENT_ID || !ctx.oidc.session.accountId) return undefined;
      // First-party console: no consent page (issue 4 §1); its grant is created here.
      const grant = new ctx.oidc.provider.Grant({ clientId: CONSOLE_CLIENT_ID, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx: unknown, id: string) => {
      // End users of SecureLogin apps: SCIM user ids, in the same UUID space as manager ids.
      const endUser = parseAccountId(id)?.kind === 'manager' ? await brokerAccount(db, id) : undefined;
      if (endUser) return endUser;
      const parsed = parseAccountId(id);
      if (!parsed) return undefined;
      if (parsed.kind === 'tenant') {
        // A disabled tenant cannot refresh (invalid_grant) and its tokens stop resolving.
        const t = await findTenantById(db, parsed.id);
        if (!t || !t.enabled) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, tenant_id: t.id, tenant_domain: t.domain, tenant_name: t.name }) };
      }
      const m = await findManagerWithTenant(db, parsed.id);
      if (!m || !m.enabled || !m.tenant.enabled) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: m.id,
          tenant_id: m.tenantId,
          tenant_domain: m.tenant.domain,
          tenant_name: m.tenant.name,
          username: m.username,
          role: m.role,
          must_change_password: m.mustChangePassword,
        }),
      };
    },
    interactions: { policy, url: async (ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}${isBrokerClientId(ctx.oidc.client?.clientId) ? '/sso' : ''}` },
    ttl: {
      AccessToken: config.tokens.accessTokenTtl,
      ClientCredentials: config.tokens.accessTokenTtl,
      AuthorizationCode: config.tokens.codeTtl,
      RefreshToken: config.tokens.refreshTokenTtl,
      Grant: GRANT_TTL,
      IdToken: ID_TOKEN_TTL,
      Interaction: INTERACTION_TTL,
      Session: config.tokens.sessionTtl,
    },
    renderError: renderProviderError,
    clientBasedCORS: () => false,
  });

  if (secure) provider.proxy = true;

  // Several secrets at once (ENTRA_CLIENT_SECRETS: all accepted, first current) and hashed API
  // client secrets: the provider compares a client's single secret, so its comparison is replaced
  // on this provider's own Client class (lib/models/client.js compareClientSecret, public method).
  const original = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string) {
    return throttledCompare(deps.throttle, this.clientId, async () => {
      if (this.clientId === entraId) return matchesAny(actual, deps.entraSecrets);
      if (isBrokerClientId(this.clientId)) return brokerSecretMatches(db, this.clientId, actual);
      if (this.clientId.startsWith(API_CLIENT_ID_PREFIX)) {
        // Re-read on every use: a revoked secret is refused at once, whatever the provider cached.
        const c = await findClientForAuth(db, this.clientId);
        return c ? matchesAnyHash(actual, c.secretHashes) : false;
      }
      return original.call(this, actual);
    });
  };
  provider.use(clientAuthContext());

  // Entra may send no scope, or scopes without "scim" (entra-protocol.md §1.2: "don't require
  // it; default to the full SCIM scope"): the authorization request always carries scim.
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    // Absolute URLs (interaction returnTo, resume cookie path) use this when the request URL has
    // been rewritten below and no longer lines up with originalUrl (lib/helpers/oidc_context.js).
    ctx.mountPath = new URL(provider.issuer).pathname;
    if (ctx.method === 'GET' && ctx.path === '/authorize' && ctx.query.client_id === entraId) {
      const raw = typeof ctx.query.scope === 'string' ? ctx.query.scope : '';
      const scopes = raw.split(' ').filter(Boolean);
      if (!scopes.includes(SCIM_SCOPE)) ctx.query = { ...ctx.query, scope: [...scopes, SCIM_SCOPE].join(' ') };
    }
    await next();
  });

  provider.use(refreshReuse(db, deps.digest));

  return provider;
}
