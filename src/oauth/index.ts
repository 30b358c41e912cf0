// The OAuth 2.0 authorization server Entra's Authorize button talks to, and the provider side of the
// console sign-in and of the client-credentials API clients. createOAuth builds the provider and the token
// resolver; oauthRoutes mounts /oauth/*, the RFC 8414 metadata path and the /interaction pages.
import crypto from 'node:crypto';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type Provider from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { ensureSigningKeys } from '../db/signing-keys.ts';
import { hashLegacyCredentialRows, revokeGrantRows, sweepExpiredPayloads } from '../db/oidc-adapter.ts';
import { markRefreshed, markRevoked } from '../db/connections.ts';
import { getOrCreateSecretSetting } from '../db/settings.ts';
import { loadDataKey } from '../secrets/data-key.ts';
import { tokenDigester } from '../secrets/token-digest.ts';
import { LoginThrottle } from '../accounts/throttle.ts';
import type { Changes } from '../accounts/events.ts';
import { buildProvider } from './provider.ts';
import { cookieKeys, entraSecrets } from './secrets.ts';
import { TokenResolver, type TokenResolution } from './resolver.ts';
import { mountProvider } from './mount.ts';
import { interactionRoutes } from './interaction/routes.ts';

export type { TokenResolution } from './resolver.ts';
export { CONSOLE_CLIENT_ID, SCIM_SCOPE, consoleRedirectUris } from './clients.ts';
export { buildConsoleAuthorizeUrl, pkcePair } from './console-helper.ts';

export interface OAuthService {
  resolveToken(token: string): Promise<TokenResolution>;
  /** Console Disconnect: the grant and all its tokens, at once, and Connection.revokedAt. */
  revokeGrant(grantId: string): Promise<void>;
  /** A tenant was disabled (or enabled): forget cached resolutions for it in this process. */
  invalidateTenant(tenantId: string): void;
  /** An API client was deleted or lost a secret: forget its cached tokens in this process. */
  invalidateClient(clientId: string): void;
  readonly provider: Provider;
  readonly issuer: string;
  readonly throttle: LoginThrottle;
  close(): Promise<void>;
}

/** How often expired provider rows are deleted: oidc-provider never deletes expired rows through
 * its adapter. */
const SWEEP_MS = 10 * 60 * 1000;

export async function createOAuth(deps: { config: Config; db: Db; log: FastifyBaseLogger; changes: Changes }): Promise<OAuthService> {
  const { config, db, log, changes } = deps;
  const dataKey = loadDataKey(config);
  if (dataKey.source === 'file') {
    log.warn(`DATA_ENCRYPTION_KEY is not set: using the key generated in ${dataKey.file}. Production must set DATA_ENCRYPTION_KEY (32 random bytes, hex or base64) and keep it out of database backups`);
  }
  const digest = tokenDigester(dataKey.key);
  const rekeyed = await hashLegacyCredentialRows(db, digest);
  if (rekeyed > 0) log.info({ rekeyed }, 'tokens stored by an earlier version now stored under their keyed hash');
  const [jwks, keys, secrets, csrfSecret] = [
    await ensureSigningKeys(db, dataKey.key),
    await cookieKeys(db, dataKey.key),
    await entraSecrets(config, db),
    await getOrCreateSecretSetting(db, dataKey.key, 'interaction.csrfKey', () => crypto.randomBytes(32).toString('base64url')),
  ];
  if (secrets.generated) {
    log.warn('ENTRA_CLIENT_SECRETS is not set: using the generated secret stored in the database (see `npm run cli -- entra show`)');
  }
  const throttle = new LoginThrottle(db, config.login);
  const provider = buildProvider({ config, db, jwks, cookieKeys: keys, entraSecrets: secrets.secrets, digest, throttle });
  const resolver = new TokenResolver(db, { entraClientId: config.entra.clientId, cacheMs: config.tokens.tokenCacheMs, digest, changes });

  const quiet = (what: string) => (err: unknown) => log.error({ err }, what);
  provider.on('access_token.destroyed', (t: { jti: string }) => resolver.invalidateToken(t.jti));
  provider.on('client_credentials.destroyed', (t: { jti: string }) => resolver.invalidateToken(t.jti));
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    resolver.invalidateGrant(grantId);
    markRevoked(db, grantId).catch(quiet('could not mark connection revoked'));
  });
  provider.on('grant.success', (ctx: { oidc: { params: { grant_type?: string }; entities: { RefreshToken?: { grantId?: string } } } }) => {
    const grantId = ctx.oidc.entities.RefreshToken?.grantId;
    if (ctx.oidc.params.grant_type === 'refresh_token' && grantId) markRefreshed(db, grantId).catch(quiet('could not record refresh'));
  });
  // The provider reports its own failures through this event; errors reported to clients are not ours.
  provider.on('server_error', (_ctx: unknown, err: Error) => log.error({ err }, 'oauth server error'));

  const onTenant = (tenantId: string) => resolver.invalidateTenant(tenantId);
  const onClient = (clientId: string) => resolver.invalidateClient(clientId);
  changes.on('tenantChanged', onTenant);
  changes.on('apiClientRemoved', onClient);

  const sweep = setInterval(() => {
    sweepExpiredPayloads(db).catch(quiet('oidc payload sweep failed'));
    throttle.sweep().catch(quiet('throttle sweep failed'));
  }, SWEEP_MS);
  sweep.unref();

  const service: OAuthService & { csrfKey: Buffer } = {
    provider,
    issuer: `${config.publicUrl}/oauth`,
    throttle,
    csrfKey: Buffer.from(csrfSecret, 'base64url'),
    resolveToken: (token) => resolver.resolve(token),
    async revokeGrant(grantId) {
      await revokeGrantRows(db, grantId);
      await markRevoked(db, grantId);
      resolver.invalidateGrant(grantId);
    },
    invalidateTenant: (tenantId) => resolver.invalidateTenant(tenantId),
    invalidateClient: (clientId) => resolver.invalidateClient(clientId),
    async close() {
      clearInterval(sweep);
      changes.off('tenantChanged', onTenant);
      changes.off('apiClientRemoved', onClient);
      resolver.clear();
    },
  };
  return service;
}

const routes: FastifyPluginAsync<{ config: Config; db: Db; oauth: OAuthService }> = async (app, opts) => {
  const oauth = opts.oauth as OAuthService & { csrfKey: Buffer };
  // On the root instance (fastify-plugin): tests and other modules reach the service as app.oauth.
  if (!app.hasDecorator('oauth')) app.decorate('oauth', opts.oauth);
  await app.register(async (scope) => mountProvider(scope, { config: opts.config, provider: oauth.provider }));
  await app.register(async (scope) =>
    interactionRoutes(scope, { config: opts.config, db: opts.db, provider: oauth.provider, csrfKey: oauth.csrfKey, throttle: oauth.throttle }),
  );
};

export const oauthRoutes = fp(routes, { name: 'oauth' });

declare module 'fastify' {
  interface FastifyInstance {
    oauth: OAuthService;
  }
}
