// Every place where SecureLogin replaces oidc-provider's default behaviour, each with its reason.
// The rest of the provider's configuration (provider.ts) only names routes, cookies, lifetimes and
// the clients; anything that changes what the library would decide on its own belongs here.
import Provider, { interactionPolicy } from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { createAdapterClass } from '../db/oidc-adapter.ts';
import { findClientForAuth } from '../db/api-clients.ts';
import type { TokenDigest } from '../secrets/token-digest.ts';
import type { LoginThrottle } from '../accounts/throttle.ts';
import { brokerClient, brokerGrant, brokerSecretMatches, isBrokerClientId } from '../sso/broker.ts';
import { API_CLIENT_ID_PREFIX, CONSOLE_CLIENT_ID, SCIM_SCOPE, apiClientMetadata } from './clients.ts';
import { matchesAny, matchesAnyHash } from './secrets.ts';
import { clientAuthContext, throttledCompare } from './client-auth-throttle.ts';
import { refreshReuse } from './refresh-reuse.ts';

export interface OverrideDeps {
  config: Config;
  db: Db;
  entraSecrets: string[];
  digest: TokenDigest;
  throttle: LoginThrottle;
}

type Ctx = KoaContextWithOIDC;

/** Storage: the library keeps everything in memory by default. Every model goes to the database
 * (db/oidc-adapter.ts); Client lookups for ids that are not static clients come from the API
 * clients and SecureLogin apps tables, so a client created in the console works at once. */
export function adapterClass(deps: OverrideDeps) {
  const { config, db } = deps;
  const Base = createAdapterClass(db, { refreshGraceSeconds: config.tokens.refreshGraceSeconds, digest: deps.digest });
  return class Adapter extends Base {
    override async find(id: string) {
      if (this.type !== 'Client') return super.find(id);
      if (isBrokerClientId(id)) return brokerClient(db, id);
      if (!id.startsWith(API_CLIENT_ID_PREFIX)) return undefined;
      const c = await findClientForAuth(db, id);
      return c ? apiClientMetadata(c) : undefined;
    }
  };
}

/** The library skips the login prompt while the browser has a provider session. Every
 * authorization signs in afresh on our pages instead: the Entra admin must prove, each time, that
 * they are an admin of the tenant being connected, and a console sign-in must never reuse a
 * session whose account is a tenant (an earlier Entra authorization in the same browser). */
export function freshLoginPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(
    new interactionPolicy.Check('fresh_login', 'sign-in on the SecureLogin pages is required', (ctx: Ctx) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
    0,
  );
  return policy;
}

/** A client may introspect and revoke only its own tokens (RFC 7662 §4, RFC 7009 §2.1). The
 * library's defaults let any confidential client introspect any token, and answer a revocation of
 * another client's token with an error that tells the caller the token exists. */
export function ownTokenOnly(_ctx: unknown, client: { clientId: string; clientAuthMethod: string }, token: { clientId?: string }) {
  return client.clientAuthMethod !== 'none' && token.clientId === client.clientId;
}

/** PKCE is honoured when sent and required only for the public clients (the console and
 * SecureLogin apps): Entra is a plain RFC 6749 confidential client and sends no code_challenge
 * (Entra case A01: its authorize request carries response_type, client_id, redirect_uri, state). */
export function pkceRequired(_ctx: unknown, client: { clientId: string }): boolean {
  return client.clientId === CONSOLE_CLIENT_ID || isBrokerClientId(client.clientId);
}

/** Refresh-token policy for Entra (the library's defaults demand offline_access, never rotate,
 * and end tokens with the browser session). */
export function refreshTokenPolicy(entraId: string) {
  return {
    // Entra never asks for offline_access, yet it refreshes at each provisioning cycle (case A08):
    // it gets a refresh token with every code.
    issueRefreshToken: async (_ctx: unknown, client: { clientId: string; grantTypeAllowed(g: string): boolean }) =>
      client.clientId === entraId && client.grantTypeAllowed('refresh_token'),
    // Rotation makes refresh tokens sliding and exposes a stolen one at its second use
    // (RFC 9700 §4.14.2). The adapter keeps the previous one usable for REFRESH_TOKEN_GRACE, so a
    // lost token response does not break Entra's job (case A09), and a retry gets the successor
    // already issued (refresh-reuse.ts).
    rotateRefreshToken: (ctx: Ctx) => ctx.oidc.client?.clientId === entraId,
    // Tokens are the tenant's: they must not die with the browser session of whoever clicked Authorize.
    expiresWithSession: async () => false,
  };
}

/** The grant an authorization continues with. The library would look up the session's grant for
 * the client and otherwise ask for consent; here the consent step's grant wins, SecureLogin apps
 * use their own rule, and the first-party console gets its grant without a consent page. */
export function loadExistingGrant(db: Db) {
  return async (ctx: Ctx) => {
    const resultGrant = ctx.oidc.result?.consent?.grantId;
    if (resultGrant) return ctx.oidc.provider.Grant.find(resultGrant);
    if (isBrokerClientId(ctx.oidc.client.clientId)) return brokerGrant(db, ctx as never);
    if (ctx.oidc.client.clientId !== CONSOLE_CLIENT_ID || !ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: CONSOLE_CLIENT_ID, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid');
    await grant.save();
    return grant;
  };
}

/** Our interaction pages; SecureLogin apps' authorizations go to the single sign-on step instead. */
export function interactionUrl(ctx: Ctx, interaction: { uid: string }): string {
  return `/interaction/${interaction.uid}${isBrokerClientId(ctx.oidc.client?.clientId) ? '/sso' : ''}`;
}

/** The library compares a client's one plaintext secret. Ours: several Entra secrets at once
 * (ENTRA_CLIENT_SECRETS: all accepted, the first current, so a secret can be rotated without a
 * gap), hashed API client and SecureLogin app secrets re-read on every use (a revoked secret is
 * refused at once, whatever the provider cached), every comparison in constant time and throttled
 * per client and IP. Replaced on this provider's own Client class (compareClientSecret is a public
 * method of the library's Client model). */
export function installSecretComparison(provider: Provider, deps: OverrideDeps): void {
  const { db, entraSecrets, throttle } = deps;
  const entraId = deps.config.entra.clientId;
  const original = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: string) {
    return throttledCompare(throttle, this.clientId, async () => {
      if (this.clientId === entraId) return matchesAny(actual, entraSecrets);
      if (isBrokerClientId(this.clientId)) return brokerSecretMatches(db, this.clientId, actual);
      if (this.clientId.startsWith(API_CLIENT_ID_PREFIX)) {
        const c = await findClientForAuth(db, this.clientId);
        return c ? matchesAnyHash(actual, c.secretHashes) : false;
      }
      return original.call(this, actual);
    });
  };
  provider.use(clientAuthContext());
}

/** Entra may send no scope, or scopes without "scim" (case A01: the portal's authorize request has
 * no scope parameter), and the library denies an authorization that ends with no granted scope:
 * Entra's authorization request always carries scim. */
function entraScopeDefault(provider: Provider, entraId: string) {
  return async function entraScopeDefaultMiddleware(ctx: Ctx, next: () => Promise<void>) {
    // Absolute URLs (interaction returnTo, resume cookie path) use this when the request URL has
    // been rewritten below and no longer lines up with originalUrl (lib/helpers/oidc_context.js).
    ctx.mountPath = new URL(provider.issuer).pathname;
    if (ctx.method === 'GET' && ctx.path === '/authorize' && ctx.query.client_id === entraId) {
      const raw = typeof ctx.query.scope === 'string' ? ctx.query.scope : '';
      const scopes = raw.split(' ').filter(Boolean);
      if (!scopes.includes(SCIM_SCOPE)) ctx.query = { ...ctx.query, scope: [...scopes, SCIM_SCOPE].join(' ') };
    }
    await next();
  };
}

/** The overrides that are installed on a built provider rather than passed in its configuration,
 * in the order they must run. */
export function installOverrides(provider: Provider, deps: OverrideDeps): void {
  installSecretComparison(provider, deps);
  provider.use(entraScopeDefault(provider, deps.config.entra.clientId));
  // A retried refresh within the grace window gets the successor already issued instead of a
  // second live chain on the grant (RFC 9700 §4.14.2).
  provider.use(refreshReuse(deps.db, deps.digest));
}
