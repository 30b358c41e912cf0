// The identity broker: SecureLogin applications (app create) sign end users in through our
// oidc-provider, and the user authenticates at the tenant's Entra (SAML or OIDC as configured).
// The provider knows these pieces only through the small functions below (client metadata, the
// account and its claims, the first-party grant, the interaction URL); the flow itself lives in
// broker-routes.ts.
import type { Db } from '../db/client.ts';
import { tenantEnabled } from '../db/tenants.ts';
import { findUserById, findUserWithTenant, userGroupNames } from '../db/sso-users.ts';
import { APP_CLIENT_ID_PREFIX, appSecretMatches, findApp, type SsoAppRow } from './apps.ts';

/** Scopes an app may ask for; each maps to the claims below (provider `claims` config). */
export const BROKER_SCOPES = ['openid', 'profile', 'email'] as const;
// The provider releases only claims of a granted scope; acr and amr (the upstream evidence of the
// login) ride on profile, which every SecureLogin app asks for alongside openid.
export const BROKER_CLAIMS: Record<string, string[]> = { profile: ['name', 'preferred_username', 'groups', 'tid', 'acr', 'amr'], email: ['email'] };

export const isBrokerClientId = (id: unknown): boolean => typeof id === 'string' && id.startsWith(APP_CLIENT_ID_PREFIX);
/** The provider puts the account id itself in `sub`, and `sub` must be our SCIM user id. SCIM and
 * manager ids are both random UUIDs, so one namespace serves both (findAccount tries users first). */
export const userAccountId = (userId: string) => userId;

export function brokerClientMetadata(app: SsoAppRow) {
  return {
    client_id: app.id,
    client_name: app.name,
    // Only a placeholder for metadata validation: the secret is checked against its stored hash.
    ...(app.isPublic ? { token_endpoint_auth_method: 'none' } : { client_secret: 'verified-against-stored-hash', token_endpoint_auth_method: 'client_secret_basic' }),
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.redirectUris,
    // oidc-provider accepts only an https initiate_login_uri; a loopback one (local development)
    // is still used for IdP-initiated launches, just not published in the client metadata.
    ...(app.initiateLoginUri?.startsWith('https:') ? { initiate_login_uri: app.initiateLoginUri } : {}),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: BROKER_SCOPES.join(' '),
  };
}

export async function brokerClient(db: Db, clientId: string) {
  const app = await findApp(db, clientId);
  return app ? brokerClientMetadata(app) : undefined;
}

/** Re-read on every use: a deleted app stops authenticating at once. */
export async function brokerSecretMatches(db: Db, clientId: string, presented: string): Promise<boolean> {
  const app = await findApp(db, clientId);
  return app ? appSecretMatches(app, presented) : false;
}

/** The end user as an OpenID account; undefined once SCIM disabled or deleted them, or the tenant
 * was disabled, so the provider refuses their tokens at userinfo from then on. */
export async function brokerAccount(db: Db, accountId: string) {
  const u = await findUserWithTenant(db, accountId);
  if (!u || !u.active) return undefined;
  if (!(await tenantEnabled(db, u.tenantId))) return undefined;
  return {
    accountId,
    claims: async () => {
      const d = JSON.parse(u.data) as { userName?: string; displayName?: string; name?: { formatted?: string }; emails?: Array<{ value?: string; type?: string; primary?: boolean }> };
      const emails = Array.isArray(d.emails) ? d.emails : [];
      const email = (emails.find((e) => e.type === 'work') ?? emails.find((e) => e.primary) ?? emails[0])?.value;
      const groups = await userGroupNames(db, u.tenantId, u.id);
      return {
        // Stable: our SCIM user id, never an Entra value.
        sub: u.id,
        tid: u.tenantId,
        name: d.displayName ?? d.name?.formatted ?? d.userName,
        preferred_username: d.userName,
        ...(email ? { email } : {}),
        groups: groups.sort(),
      };
    },
  };
}

/** First-party apps: no consent page; the grant covers the OpenID scopes the app asked for. Only
 * for an ACTIVE SCIM user of the app's own tenant: a manager who signed in on the password page,
 * or a user of another tenant, gets no grant, and the interaction sends them through that
 * tenant's Entra instead. */
export async function brokerGrant(db: Db, ctx: { oidc: { params?: Record<string, unknown>; client?: { clientId: string }; session?: { accountId?: string }; provider: { Grant: new (o: { clientId: string; accountId: string }) => { addOIDCScope(s: string): void; save(): Promise<string> } } } }) {
  const clientId = ctx.oidc.client?.clientId;
  const accountId = ctx.oidc.session?.accountId;
  if (!clientId || !accountId) return undefined;
  const app = await findApp(db, clientId);
  const user = app ? await findUserById(db, app.tenantId, accountId) : null;
  if (!user?.active) return undefined;
  const requested = String(ctx.oidc.params?.scope ?? '').split(' ').filter((s) => (BROKER_SCOPES as readonly string[]).includes(s));
  const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
  grant.addOIDCScope([...new Set(['openid', ...requested])].join(' '));
  await grant.save();
  return grant;
}

/** SAML / Entra authentication method URIs → RFC 8176 amr values. */
export function amrValues(upstream: string[]): string[] {
  const out = new Set<string>();
  for (const v of upstream) {
    if (/multipleauthn|mfa/i.test(v)) out.add('mfa');
    else if (/password|pwd/i.test(v)) out.add('pwd');
    else if (/x509/i.test(v)) out.add('hwk');
    else if (/windows/i.test(v)) out.add('wia');
    else if (/^[a-z]{2,10}$/.test(v)) out.add(v);
  }
  // RFC 8176 "fed": the authentication happened at a federated identity provider.
  out.add('fed');
  return [...out];
}
