// The console's "Single sign-on" page: the values to paste into Entra (with copy buttons), the SAML
// or OIDC settings, the matching rule, the enforcement and IdP-initiated switches, certificate
// expiry warnings, who signed in (with "Sign out everywhere", handled by the Users page) and the SSO log (sign-ins, refusals
// with their reason, sign-outs). Reading is for every manager; changes are admin-only (the console's
// auth hook refuses viewers' POSTs and checks CSRF).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findUsersByIds } from '../db/sso-users.ts';
import { countLiveSessions } from '../db/sso-sessions.ts';
import { recentUserLinks } from '../db/sso-user-links.ts';
import { updateSsoSettings } from '../db/sso-config.ts';
import { principal, render, str } from './context.ts';
import { loadCerts, loadSsoConfig, removeSso, type MatchAttribute } from '../sso/config-store.ts';
import { configureOidc, configureSaml, parseMatch, SsoConfigError } from '../sso/configure.ts';
import { MetadataError } from '../sso/metadata.ts';
import { expiryState, EXPIRY_WARNING_DAYS } from '../sso/certs.ts';
import { spUrls, URL_KEYS } from '../sso/urls.ts';
import { recentSsoEvents } from '../sso/events.ts';
import { recordAudit } from '../audit/record.ts';
import type { AuditEventName } from '../audit/events.ts';
import { describeSettingsChange, offDetail } from '../sso/config-audit.ts';
import { confirmPage, isConfirmed } from './confirm.ts';

const LABELS: Record<(typeof URL_KEYS)[number], string> = {
  entity_id: 'Identifier (Entity ID)',
  acs_url: 'Reply URL (Assertion Consumer Service URL)',
  sign_on_url: 'Sign on URL',
  logout_url: 'Logout Url',
  metadata_url: 'SP metadata (upload in Basic SAML Configuration)',
  oidc_redirect_uri: 'Redirect URI (OpenID Connect app registration, Web platform)',
  oidc_logout_url: 'Front-channel logout URL (OpenID Connect app registration, Authentication)',
};

// Copy buttons need script; served from here so the console's CSP (script-src 'self') allows it.
const COPY_JS = `document.addEventListener('click', function (e) {
  var b = e.target.closest('button[data-copy]');
  if (!b) return;
  var v = document.getElementById(b.getAttribute('data-copy')).textContent;
  navigator.clipboard.writeText(v).then(function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = 'Copy'; }, 1500); });
});
`;

const NOTICES: Record<string, string> = {
  saml: 'SAML single sign-on saved.',
  oidc: 'OpenID Connect single sign-on saved. The client secret is stored encrypted and is not shown again.',
  settings: 'Settings saved.',
  off: 'Single sign-on turned off.',
};

export async function registerSso(app: FastifyInstance, deps: { config: Config; db: Db }) {
  const { config, db } = deps;

  app.get('/assets/sso-copy.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(COPY_JS));

  async function page(req: FastifyRequest, reply: FastifyReply, extra: { error?: string; status?: number } = {}) {
    const me = principal(req);
    const [cfg, certs, events, links] = await Promise.all([
      loadSsoConfig(db, me.tenantId),
      loadCerts(db, me.tenantId),
      recentSsoEvents(db, me.tenantId, 50),
      recentUserLinks(db, me.tenantId, 100),
    ]);
    const ids = links.map((l) => l.userId);
    const [users, sessionCount] = await Promise.all([findUsersByIds(db, me.tenantId, ids), countLiveSessions(db, me.tenantId, ids, new Date())]);
    const byId = new Map(users.map((u) => [u.id, { userName: String((JSON.parse(u.data) as { userName?: string }).userName ?? u.id), active: u.active }]));
    const urls = spUrls(config, me.tenantId);
    if (extra.status) reply.code(extra.status);
    return render(reply, 'sso', {
      title: 'Single sign-on',
      nav: 'sso',
      urls: URL_KEYS.map((k) => ({ key: k, label: LABELS[k], value: urls[k] })),
      testOidcUrl: urls.oidc_login_url,
      cfg,
      certs: certs.map((c) => ({ ...c, state: expiryState(c.notAfter) })),
      warnDays: EXPIRY_WARNING_DAYS,
      events: events.map((e) => ({ ...e, userName: e.userId ? (byId.get(e.userId)?.userName ?? e.subject) : e.subject })),
      signedIn: links.filter((l) => byId.has(l.userId)).map((l) => ({ id: l.userId, ...byId.get(l.userId)!, lastSignInAt: l.lastSignInAt, sessions: sessionCount.get(l.userId) ?? 0 })),
      notice: NOTICES[str((req.query as Record<string, unknown>).done, 20)] ?? null,
      error: extra.error ?? null,
    });
  }

  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const audit = (req: FastifyRequest, event: AuditEventName, detail: string, target: string | null = null) => {
    const me = principal(req);
    return recordAudit(db, { event, tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target, detail }, req.log);
  };
  const done = (reply: FastifyReply, what: string) => reply.redirect(`/console/sso?done=${what}`, 303);

  async function guard(req: FastifyRequest, reply: FastifyReply, fn: () => Promise<unknown>) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SsoConfigError || err instanceof MetadataError) return page(req, reply, { error: err.message, status: 400 });
      throw err;
    }
  }

  app.get('/sso', async (req, reply) => page(req, reply));

  app.post('/sso/saml', async (req, reply) => {
    const me = principal(req);
    const b = body(req);
    const xml = str(b.metadata_xml, 512 * 1024).trim();
    const url = str(b.metadata_url, 2000).trim();
    return guard(req, reply, async () => {
      if (!xml === !url) throw new SsoConfigError('Paste the App Federation Metadata URL or the metadata XML (one of the two).');
      const matchAttribute = parseMatch(str(b.match, 20) || undefined);
      const allowIdpInitiated = b.allow_idp_initiated === 'on';
      const md = await configureSaml(db, me.tenantId, { xml: xml || undefined, url: url || undefined, matchAttribute, allowIdpInitiated });
      await audit(req, 'sso.configured', `SAML 2.0: issuer ${md.entityId}, ${md.certs.length} signing certificate(s) from ${url ? 'the metadata URL' : 'pasted metadata'}, match on ${matchAttribute}, IdP-initiated ${allowIdpInitiated ? 'on' : 'off'}`);
      return done(reply, 'saml');
    });
  });

  app.post('/sso/oidc', async (req, reply) => {
    const me = principal(req);
    const b = body(req);
    return guard(req, reply, async () => {
      const matchAttribute = parseMatch(str(b.match, 20) || undefined);
      const r = await configureOidc(db, config, me.tenantId, { issuer: str(b.issuer, 500).trim(), clientId: str(b.client_id, 200), clientSecret: str(b.client_secret, 500), matchAttribute });
      await audit(req, 'sso.configured', `OpenID Connect: issuer ${r.issuer}, client id ${str(b.client_id, 200).trim()}, new client secret, match on ${matchAttribute}`);
      return done(reply, 'oidc');
    });
  });

  app.post('/sso/settings', async (req, reply) => {
    const me = principal(req);
    const b = body(req);
    return guard(req, reply, async () => {
      const cfg = await loadSsoConfig(db, me.tenantId);
      if (!cfg) throw new SsoConfigError('Configure SAML or OpenID Connect first.');
      const matchAttribute: MatchAttribute = parseMatch(str(b.match, 20) || undefined);
      const saml = cfg.protocol === 'saml';
      const next = { matchAttribute, enforce: b.enforce === 'required', allowIdpInitiated: saml && b.allow_idp_initiated === 'on', allowExpiredCerts: saml && b.allow_expired_certs === 'on' };
      if (!(await updateSsoSettings(db, me.tenantId, next))) throw new SsoConfigError('Configure SAML or OpenID Connect first.');
      const change = describeSettingsChange(cfg, next);
      if (change) await audit(req, 'sso.settings_changed', change);
      return done(reply, 'settings');
    });
  });

  app.post('/sso/off', async (req, reply) => {
    const me = principal(req);
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Turn single sign-on off',
        object: `Single sign-on of ${me.tenantName}`,
        consequence: 'Nobody can sign in with Microsoft Entra ID any more until it is set up again; the Entra settings and certificates stored here are forgotten, and single sign-on is no longer required for managers (they sign in with their passwords). Sessions already open stay open until they end.',
        action: '/console/sso/off',
        button: 'Turn single sign-on off',
        cancel: '/console/sso',
        nav: 'sso',
      });
    }
    const before = await loadSsoConfig(db, me.tenantId);
    if (await removeSso(db, me.tenantId)) await audit(req, 'sso.disabled', offDetail(before?.enforce ?? false));
    return done(reply, 'off');
  });
}
