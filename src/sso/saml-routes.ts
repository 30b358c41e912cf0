// SAML endpoints of one tenant: SP metadata, SP-initiated start (Sign on URL), ACS (Reply URL,
// SP- and IdP-initiated) and Single Logout (Logout URL).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Tenant } from '../db/tenants.ts';
import { loadCerts, loadSsoConfig, type MatchAttribute } from './config-store.ts';
import { acceptLogoutResponse } from './single-logout.ts';
import { launchTarget } from './launch.ts';
import { completeSignIn } from './complete.ts';
import { recordSsoEvent } from './events.ts';
import { Refusal } from './refusals.ts';
import { page, refuse } from './render.ts';
import { returnToFrom } from './return-to.ts';
import { startSamlRequest } from './saml-request.ts';
import { verifySamlResponse } from './saml-verify.ts';
import { cookieOptions, destroySession, loadSession, sessionCookieName } from './sessions.ts';
import { spMetadataXml } from './sp-metadata.ts';
import { ssoTenant, tenantFor } from './tenant-context.ts';
import { spUrls } from './urls.ts';

type Params = { tenantId: string };

export async function samlRoutes(app: FastifyInstance, deps: { config: Config; db: Db }): Promise<void> {
  const { config, db } = deps;

  async function refused(reply: FastifyReply, err: unknown, subject: string | null = null) {
    if (!(err instanceof Refusal)) throw err;
    const tenant = (err as Refusal & { tenant?: Tenant }).tenant;
    return refuse(reply, db, err, { tenantId: tenant?.id, tenantDomain: tenant?.domain, protocol: 'saml', subject });
  }

  app.get<{ Params: Params }>('/sso/:tenantId/saml/metadata', async (req, reply) => {
    try {
      const t = await tenantFor(db, req.params.tenantId);
      return reply.type('application/samlmetadata+xml').header('content-disposition', `inline; filename="securelogin-${t.domain}.xml"`).send(spMetadataXml(spUrls(config, t.id)));
    } catch (err) {
      return refused(reply, err);
    }
  });

  app.get<{ Params: Params; Querystring: { return?: string; mode?: string; login_hint?: string } }>('/sso/:tenantId/saml/login', async (req, reply) => {
    try {
      const { tenant, cfg } = await ssoTenant(db, req.params.tenantId, 'saml');
      const loginHint = typeof req.query.login_hint === 'string' ? req.query.login_hint.slice(0, 200) : null;
      const url = await startSamlRequest(db, { tenantId: tenant.id, urls: spUrls(config, tenant.id), idpSsoUrl: cfg.idpSsoUrl!, returnTo: returnToFrom(req.query), loginHint });
      return reply.redirect(url, 302);
    } catch (err) {
      return refused(reply, err);
    }
  });

  app.post<{ Params: Params }>('/sso/:tenantId/saml/acs', async (req, reply) => {
    let subject: string | null = null;
    let tenant: Tenant | undefined;
    try {
      const ctx = await ssoTenant(db, req.params.tenantId, 'saml');
      tenant = ctx.tenant;
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.SAMLResponse !== 'string') throw new Refusal('malformed', 'no SAMLResponse');
      const v = await verifySamlResponse(db, { tenantId: tenant.id, cfg: ctx.cfg, certs: await loadCerts(db, tenant.id), urls: spUrls(config, tenant.id), samlResponse: body.SAMLResponse });
      subject = v.identity.subject;
      // Where to go comes from our stored request; only an unsolicited sign-in may name, in
      // RelayState, one of this tenant's apps to launch (anything else lands on /my).
      const launch = v.solicited ? null : await launchTarget(db, tenant.id, body.RelayState);
      return await completeSignIn(reply, deps, { tenantId: tenant.id, matchAttribute: ctx.cfg.matchAttribute as MatchAttribute, identity: v.identity, returnTo: v.returnTo, launch });
    } catch (err) {
      if (err instanceof Refusal && tenant && !(err as { tenant?: Tenant }).tenant) Object.assign(err, { tenant });
      return refused(reply, err, subject);
    }
  });

  // Entra sends logout messages over HTTP-Redirect only. An inbound LogoutRequest is unsigned by
  // default, so it can only end the session of the browser that carries it (a low-value CSRF
  // target); a LogoutResponse comes back after a sign-out we started. Entra does not accept a
  // LogoutResponse to its broadcast, so the answer is a plain page.
  app.get<{ Params: Params; Querystring: { SAMLResponse?: string } }>('/sso/:tenantId/saml/slo', async (req, reply) => {
    let t: Tenant;
    try {
      t = await tenantFor(db, req.params.tenantId);
    } catch (err) {
      return refused(reply, err);
    }
    if (typeof req.query.SAMLResponse === 'string') {
      // Entra's answer to the LogoutRequest POST /my/logout sent; our session ended before that.
      try {
        const cfg = await loadSsoConfig(db, t.id);
        if (!cfg || cfg.protocol !== 'saml') throw new Refusal('sso_not_configured');
        const ok = await acceptLogoutResponse(db, { tenantId: t.id, cfg, samlResponse: req.query.SAMLResponse.slice(0, 100_000) });
        return page(reply, 200, 'my/signed-out', {
          title: 'Signed out',
          heading: 'You are signed out',
          message: ok ? 'You have been signed out of SecureLogin and of your Microsoft account.' : 'You have been signed out of SecureLogin. Microsoft Entra ID did not confirm signing you out of your Microsoft account: close the browser to be sure.',
        });
      } catch (err) {
        if (err instanceof Refusal) Object.assign(err, { tenant: t });
        return refused(reply, err);
      }
    }
    const name = sessionCookieName(config);
    const s = await loadSession(db, config, req.cookies[name]);
    if (s && s.tenantId === t.id) {
      await destroySession(db, s.tenantId, s.id);
      await recordSsoEvent(db, { tenantId: t.id, protocol: 'saml', outcome: 'logout', reason: 'single logout from Entra', userId: s.userId, subject: s.user.userName }, req);
    }
    reply.clearCookie(name, cookieOptions(config));
    return page(reply, 200, 'my/signed-out', { title: 'Signed out', heading: 'You are signed out', message: 'You have been signed out of SecureLogin.' });
  });
}
