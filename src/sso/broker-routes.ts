// The interaction of a SecureLogin app's authorization request. The provider sends those
// interactions here (provider.ts interactions.url). The app belongs to one tenant, so there is no
// Go-to-domain step: with a live end-user session of that tenant the authorization finishes at
// once (single sign-on); otherwise the browser goes to the tenant's Entra first and comes back
// here by a top-level GET, which carries the Lax interaction cookie that a cross-site SAML POST
// would not.
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findTenantById } from '../db/tenants.ts';
import { findApp } from './apps.ts';
import { amrValues, isBrokerClientId, userAccountId } from './broker.ts';
import { loadSsoConfig } from './config-store.ts';
import { Refusal } from './refusals.ts';
import { page, refuse } from './render.ts';
import { cookieOptions, createSession, loadSession, sessionCookieName } from './sessions.ts';
import { consumePendingLogin, LAUNCH_COOKIE } from './launch.ts';
import { spUrls } from './urls.ts';

export const ACR_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
export const ACR_SSO = 'urn:securelogin:acr:entra-sso';

export async function brokerRoutes(app: FastifyInstance, deps: { config: Config; db: Db; provider: () => Provider }): Promise<void> {
  const { config, db } = deps;
  const cookieName = sessionCookieName(config);

  app.get<{ Params: { uid: string } }>('/interaction/:uid/sso', async (req, reply) => {
    const provider = deps.provider();
    let d: { uid: string; params: Record<string, unknown> } | null;
    try {
      d = (await provider.interactionDetails(req.raw, reply.raw)) as { uid: string; params: Record<string, unknown> };
    } catch (err) {
      if ((err as { name?: string }).name !== 'SessionNotFound') throw err;
      d = null;
    }
    if (!d || d.uid !== req.params.uid || !isBrokerClientId(d.params.client_id)) {
      return page(reply, 400, 'error', { title: 'Sign-in expired', heading: 'This sign-in has expired', message: 'This sign-in page is no longer valid: it timed out, was already used, or was opened in a different browser. Go back to the application and try again.', code: 'session_not_found' });
    }
    const sso = await findApp(db, String(d.params.client_id));
    const tenant = sso ? await findTenantById(db, sso.tenantId) : null;
    if (!sso || !tenant) return refuse(reply, db, new Refusal('tenant_unknown'), { protocol: 'oidc' });
    if (!tenant.enabled) return refuse(reply, db, new Refusal('tenant_disabled'), { tenantId: tenant.id, tenantDomain: tenant.domain, protocol: 'oidc' });

    const pending = await consumePendingLogin(db, req.cookies[LAUNCH_COOKIE], sso.id, tenant.id);
    if (pending) {
      // An IdP-initiated sign-in launched this app: open the end-user session it left unopened.
      reply.clearCookie(LAUNCH_COOKIE, { path: '/interaction' });
      const created = await createSession(db, config, { tenantId: tenant.id, userId: pending.userId, protocol: pending.protocol, amr: pending.amr });
      reply.setCookie(cookieName, created.value, { ...cookieOptions(config), maxAge: created.maxAge });
      const amr = amrValues(pending.amr);
      const returnTo = await provider.interactionResult(
        req.raw,
        reply.raw,
        { login: { accountId: userAccountId(pending.userId), amr, acr: amr.includes('mfa') ? ACR_MFA : ACR_SSO, ts: Math.floor(pending.createdAt.getTime() / 1000), remember: false } },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(returnTo, 303);
    }
    const s = await loadSession(db, config, req.cookies[cookieName]);
    if (s && s.tenantId === tenant.id) {
      const amr = amrValues(s.amr);
      const returnTo = await provider.interactionResult(
        req.raw,
        reply.raw,
        { login: { accountId: userAccountId(s.userId), amr, acr: amr.includes('mfa') ? ACR_MFA : ACR_SSO, ts: Math.floor(s.createdAt.getTime() / 1000), remember: false } },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(returnTo, 303);
    }
    const cfg = await loadSsoConfig(db, tenant.id);
    if (!cfg) return refuse(reply, db, new Refusal('sso_not_configured'), { tenantId: tenant.id, tenantDomain: tenant.domain, protocol: 'oidc' });
    const urls = spUrls(config, tenant.id);
    const target = new URL(cfg.protocol === 'saml' ? urls.sign_on_url : urls.oidc_login_url);
    target.searchParams.set('return', `/interaction/${d.uid}/sso`);
    if (typeof d.params.login_hint === 'string') target.searchParams.set('login_hint', d.params.login_hint);
    return reply.redirect(target.pathname + target.search, 303);
  });
}
