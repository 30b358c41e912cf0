// The end-user pages: /sso/start (Go to domain → "Sign in with Microsoft"), /my (profile, groups,
// active sessions) and POST /my/logout. The logout form is CSRF-safe: it needs the session's own
// token (only our page carries it) and, when the browser sends one, our Origin.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findTenantByDomain } from '../db/tenants.ts';
import { userGroupNames } from '../db/sso-users.ts';
import { domainCandidates } from '../oauth/domain-input.ts';
import { loadSsoConfig } from './config-store.ts';
import { recordSsoEvent } from './events.ts';
import { page } from './render.ts';
import { cookieOptions, destroySession, destroyUserSessions, listUserSessions, loadSession, sessionCookieName } from './sessions.ts';
import { spUrls } from './urls.ts';
import { oidcLogoutUrl, samlLogoutUrl, upstreamLogoutOrigin } from './single-logout.ts';
import { pageSecurityHeaders } from '../plugins/security-headers.ts';

export async function myRoutes(app: FastifyInstance, deps: { config: Config; db: Db }): Promise<void> {
  const { config, db } = deps;
  const publicOrigin = new URL(config.publicUrl).origin;
  const publicHost = new URL(config.publicUrl).hostname;
  const name = sessionCookieName(config);

  const current = (req: FastifyRequest) => loadSession(db, config, req.cookies[name]);

  app.get<{ Querystring: { domain?: string } }>('/sso/start', async (req, reply) => {
    const typed = typeof req.query.domain === 'string' ? req.query.domain.slice(0, 300) : '';
    if (!typed) return page(reply, 200, 'sso/start', { title: 'Sign in', error: null, value: '' });
    let tenant = null;
    for (const c of domainCandidates(typed, publicHost)) {
      tenant = await findTenantByDomain(db, c);
      if (tenant) break;
    }
    if (!tenant) return page(reply, 404, 'sso/start', { title: 'Sign in', error: `We could not find a SecureLogin domain called "${typed.trim()}".`, value: typed });
    if (!tenant.enabled) return page(reply, 403, 'sso/start', { title: 'Sign in', error: `The SecureLogin domain "${tenant.domain}" is currently disabled.`, value: typed });
    const cfg = await loadSsoConfig(db, tenant.id);
    if (!cfg) return page(reply, 403, 'sso/start', { title: 'Sign in', error: `${tenant.name} has not set up sign-in with Microsoft yet. Ask your administrator.`, value: typed });
    const urls = spUrls(config, tenant.id);
    const loginUrl = `${cfg.protocol === 'saml' ? urls.sign_on_url : urls.oidc_login_url}?return=%2Fmy`;
    return page(reply, 200, 'sso/choose', { title: `Sign in to ${tenant.name}`, tenant, loginUrl });
  });

  app.get('/my', async (req, reply) => {
    const s = await current(req);
    if (!s) {
      if (req.cookies[name]) reply.clearCookie(name, cookieOptions(config));
      return reply.redirect('/sso/start', 303);
    }
    // Browsers apply form-action to the redirects after a form POST too: the sign-out form's
    // answer goes on to Entra's logout endpoint, so that origin must be allowed on this page.
    const logoutOrigin = upstreamLogoutOrigin(await loadSsoConfig(db, s.tenantId));
    if (logoutOrigin) reply.header('content-security-policy', pageSecurityHeaders(config)['content-security-policy'].replace(/form-action [^;]+/, (m) => `${m} ${logoutOrigin}`));
    const [groups, sessions] = await Promise.all([
      userGroupNames(db, s.tenantId, s.userId),
      listUserSessions(db, s.tenantId, s.userId),
    ]);
    const d = s.user.data as { displayName?: string; emails?: Array<{ value?: string; type?: string; primary?: boolean }> };
    const emails = Array.isArray(d.emails) ? d.emails : [];
    const email = (emails.find((e) => e.type === 'work') ?? emails.find((e) => e.primary) ?? emails[0])?.value ?? null;
    return page(reply, 200, 'my/index', {
      title: 'Your account',
      tenant: s.tenant,
      userName: s.user.userName,
      displayName: typeof d.displayName === 'string' ? d.displayName : null,
      email,
      groups: groups.sort((a, b) => a.localeCompare(b)),
      sessions: sessions.map((x) => ({ ...x, current: x.id === s.id })),
      csrf: s.csrfToken,
    });
  });

  app.post('/my/logout', async (req, reply) => {
    const s = await current(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const origin = req.headers.origin;
    const sent = typeof body._csrf === 'string' ? Buffer.from(body._csrf) : Buffer.alloc(0);
    const want = Buffer.from(s?.csrfToken ?? '');
    const tokenOk = s !== null && sent.length === want.length && crypto.timingSafeEqual(sent, want);
    // Pages are sent with Referrer-Policy: no-referrer, under which browsers send "Origin: null" on
    // form posts: only a real foreign origin is refused here; the token is the defence.
    if (!tokenOk || (origin && origin !== 'null' && origin !== publicOrigin)) {
      return page(reply, 403, 'error', { title: 'Form expired', heading: 'This form has expired', message: 'The sign-out could not be accepted because it did not come from your account page. Open your account page and try again.', code: 'csrf' });
    }
    const everywhere = body.everywhere === '1';
    if (everywhere) await destroyUserSessions(db, s.tenantId, s.userId);
    else await destroySession(db, s.tenantId, s.id);
    await recordSsoEvent(db, { tenantId: s.tenantId, protocol: s.protocol, outcome: 'logout', reason: everywhere ? 'signed out everywhere' : 'signed out', userId: s.userId, subject: s.user.userName }, req);
    reply.clearCookie(name, cookieOptions(config));
    // Our session is gone; now end the browser's Entra session too, or the next "Sign in with
    // Microsoft" would come straight back signed in.
    const cfg = await loadSsoConfig(db, s.tenantId);
    let upstream: string | null = null;
    if (cfg?.protocol === 'saml' && s.protocol === 'saml') {
      upstream = await samlLogoutUrl(db, { tenantId: s.tenantId, cfg, urls: spUrls(config, s.tenantId), nameId: s.upstream.nameId, sessionIndex: s.upstream.sessionIndex });
    } else if (cfg?.protocol === 'oidc' && s.protocol === 'oidc') {
      upstream = await oidcLogoutUrl(config, cfg);
    }
    if (upstream) return reply.redirect(upstream, 303);
    return page(reply, 200, 'my/signed-out', { title: 'Signed out', heading: 'You are signed out', message: everywhere ? 'You have been signed out of SecureLogin in every browser.' : 'You have been signed out of SecureLogin.' });
  });
}
