// Our pages between /oauth/authorize and the redirect back (issue 2 §5): Go to domain → sign in →
// consent (Entra only). They talk to the provider only through interactionDetails /
// interactionResult (architecture.md). State between steps is kept in the interaction itself
// (server-side, bound to the interaction cookie), never in hidden form fields.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyFormbody from '@fastify/formbody';
import type Provider from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findTenantByDomain, findTenantById, type Tenant } from '../db/tenants.ts';
import { findManagerById } from '../db/managers.ts';
import { recordConnection } from '../db/connections.ts';
import { verifyManagerPassword } from '../accounts/managers.ts';
import { LoginThrottle, describeWait } from '../accounts/throttle.ts';
import { managerAccountId, tenantAccountId } from './accounts-ids.ts';
import { CONSOLE_CLIENT_ID } from './clients.ts';
import { csrfToken, csrfValid } from './csrf.ts';
import { domainCandidates } from './domain-input.ts';
import { renderPage } from './render.ts';
import { auditSignIn } from '../audit/sign-in.ts';
import { asStorageUnavailable } from '../db/storage-errors.ts';

/** How long a verified sign-in waits for the consent decision. */
const PENDING_LOGIN_MS = 10 * 60 * 1000;

interface StepState {
  tenantId?: string;
  pendingLogin?: { managerId: string; username: string; at: number };
}

interface Details {
  uid: string;
  params: Record<string, string | undefined>;
  result?: StepState & Record<string, unknown>;
}

export interface InteractionDeps {
  config: Config;
  db: Db;
  provider: Provider;
  csrfKey: Buffer;
  throttle: LoginThrottle;
}

const GENERIC_LOGIN_ERROR = 'The username or password is not correct.';

export async function interactionRoutes(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  const { config, db, provider, csrfKey, throttle } = deps;
  const publicHost = new URL(config.publicUrl).hostname;
  const publicOrigin = new URL(config.publicUrl).origin;

  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  function clientLabel(d: Details): string {
    return d.params.client_id === CONSOLE_CLIENT_ID ? 'the SecureLogin console' : 'Microsoft Entra ID';
  }

  function isEntra(d: Details): boolean {
    return d.params.client_id === config.entra.clientId;
  }

  async function page(reply: FastifyReply, status: number, view: string, data: Record<string, unknown> & { title: string }) {
    reply.code(status).type('text/html; charset=utf-8');
    return reply.send(await renderPage(view, data));
  }

  async function details(req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
    try {
      return (await provider.interactionDetails(req.raw, reply.raw)) as Details;
    } catch (err) {
      // Only "no such interaction for this browser" is the visitor's problem; anything else is ours.
      if ((err as { name?: string }).name !== 'SessionNotFound') throw err;
      await page(reply, 400, 'error', {
        title: 'Sign-in expired',
        heading: 'This sign-in has expired',
        message: 'This sign-in page is no longer valid: it timed out, was already used, or was opened in a different browser. Go back to where you started and try again.',
        code: 'session_not_found',
      });
      return null;
    }
  }

  function common(d: Details, extra: Record<string, unknown> = {}) {
    return { uid: d.uid, csrf: csrfToken(csrfKey, d.uid), clientLabel: clientLabel(d), isEntra: isEntra(d), ...extra };
  }

  async function enabledTenant(id: string | undefined): Promise<Tenant | null> {
    if (!id) return null;
    const t = await findTenantById(db, id);
    return t && t.enabled ? t : null;
  }

  const domainPage = (reply: FastifyReply, d: Details, status = 200, error: string | null = null, value = '') =>
    page(reply, status, 'interaction/domain', { title: 'Go to your domain', ...common(d), error, value, publicHost });

  const loginPage = (reply: FastifyReply, d: Details, tenant: Tenant, status = 200, error: string | null = null, username = '') =>
    page(reply, status, 'interaction/login', { title: `Sign in to ${tenant.name}`, ...common(d), tenant, error, username });

  /** Refuses forms that do not carry this interaction's token, or that come from another origin. */
  async function refuseForgery(req: FastifyRequest, reply: FastifyReply, d: Details): Promise<boolean> {
    const origin = req.headers.origin;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if ((origin && origin !== 'null' && origin !== publicOrigin) || !csrfValid(csrfKey, d.uid, body._csrf)) {
      await page(reply, 403, 'error', {
        title: 'Form expired',
        heading: 'This form has expired',
        message: 'The form could not be accepted because it did not come from this sign-in page. Go back, reload the page and try again.',
        code: 'csrf',
      });
      return true;
    }
    return false;
  }

  const mustChangePasswordPage = (reply: FastifyReply) =>
    page(reply, 403, 'error', {
      title: 'Change your password first',
      heading: 'Change your password before connecting Microsoft Entra ID',
      message: `Your password was set by an administrator and must be changed before it can authorize Microsoft Entra ID. Sign in to the SecureLogin console at ${publicOrigin}/console, choose a new password there, then click Authorize in Entra again.`,
      code: 'password_change_required',
    });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const storage = status === 500 ? asStorageUnavailable(err) : null;
    if (storage) {
      req.log.warn({ err }, `interaction met a storage fault (${storage.reason})`);
      reply.header('retry-after', String(storage.retryAfterSeconds));
      return page(reply, 503, 'error', {
        title: 'Sign-in cannot continue',
        heading: 'Temporarily unavailable',
        message: 'Sign-in cannot reach its data right now. Wait a minute, then go back and try again.',
        code: 'temporarily_unavailable',
      });
    }
    if (status === 500) req.log.error({ err }, 'interaction error');
    return page(reply, status, 'error', {
      title: 'Sign-in cannot continue',
      heading: status === 500 ? 'Something went wrong' : 'Request not accepted',
      message: status === 500 ? 'Sign-in could not be completed because of a problem on our side. Try again in a moment.' : 'The form could not be read. Go back, reload the page and try again.',
      code: status === 500 ? 'server_error' : 'bad_request',
    });
  });

  const field = (body: unknown, name: string, max: number): string => {
    const v = (body as Record<string, unknown> | null)?.[name];
    return typeof v === 'string' ? v.slice(0, max) : '';
  };

  app.get('/interaction/:uid', async (req, reply) => {
    const d = await details(req, reply);
    if (!d) return reply;
    const q = req.query as Record<string, unknown>;
    const state = d.result ?? {};
    const tenant = q.step === 'domain' ? null : await enabledTenant(state.tenantId);
    if (!tenant) return domainPage(reply, d);
    if (isEntra(d) && state.pendingLogin && Date.now() - state.pendingLogin.at < PENDING_LOGIN_MS) {
      return page(reply, 200, 'interaction/consent', {
        title: 'Allow access',
        ...common(d),
        tenant,
        username: state.pendingLogin.username,
      });
    }
    return loginPage(reply, d, tenant);
  });

  app.post('/interaction/:uid/domain', async (req, reply) => {
    const d = await details(req, reply);
    if (!d || (await refuseForgery(req, reply, d))) return reply;
    const typed = field(req.body, 'domain', 300);
    const candidates = domainCandidates(typed, publicHost);
    if (candidates.length === 0) return domainPage(reply, d, 400, 'Enter your SecureLogin domain, for example "acme".', typed);
    // Guessing domains reveals which tenants exist: unknown names count against the client's IP.
    const claim = await throttle.claimDomainLookup(req.ip);
    if (!claim.ok) {
      reply.header('retry-after', String(claim.retryAfter));
      return domainPage(reply, d, 429, `Too many unknown domains were tried from your network. Try again in ${describeWait(claim.retryAfter)}.`, typed);
    }
    let tenant: Tenant | null = null;
    for (const c of candidates) {
      tenant = await findTenantByDomain(db, c);
      if (tenant) break;
    }
    if (tenant) await throttle.succeeded(claim);
    if (!tenant) {
      return domainPage(reply, d, 404, `We could not find a SecureLogin domain called "${candidates[candidates.length - 1]}". Check the spelling, or ask your administrator for your domain.`, typed);
    }
    if (!tenant.enabled) {
      return domainPage(reply, d, 403, `The SecureLogin domain "${tenant.domain}" is currently disabled. Contact SecureLogin support to re-enable it.`, typed);
    }
    await provider.interactionResult(req.raw, reply.raw, { tenantId: tenant.id } satisfies StepState, { mergeWithLastSubmission: false });
    return reply.redirect(`/interaction/${d.uid}`, 303);
  });

  app.post('/interaction/:uid/login', async (req, reply) => {
    const d = await details(req, reply);
    if (!d || (await refuseForgery(req, reply, d))) return reply;
    const tenant = await enabledTenant(d.result?.tenantId);
    if (!tenant) return domainPage(reply, d, 400, 'Choose your domain first.');
    const username = field(req.body, 'username', 200).trim();
    const password = field(req.body, 'password', 1024);
    if (!username || !password) return loginPage(reply, d, tenant, 400, 'Enter your username and password.', username);

    // The attempt is counted before the password is checked (one atomic step per counter), so
    // parallel guesses cannot all slip under the limit.
    const claim = await throttle.claimSignIn(tenant.id, username, req.ip);
    const via = isEntra(d) ? 'Entra authorization' : 'console';
    if (!claim.ok) {
      await auditSignIn(db, req, tenant, username, 'signin.locked', `${via}: paused for ${claim.retryAfter} s`);
      reply.header('retry-after', String(claim.retryAfter));
      return loginPage(reply, d, tenant, 429, `Too many failed sign-in attempts. For your security, sign-in is paused: try again in ${describeWait(claim.retryAfter)}.`, username);
    }
    const v = await verifyManagerPassword({ db, config }, tenant.id, username, password);
    if (!v.ok) {
      await auditSignIn(db, req, tenant, username, 'signin.failure', `${via}: ${v.reason === 'invalid' ? 'wrong username or password' : 'account disabled'}`);
      if (v.reason === 'invalid') return loginPage(reply, d, tenant, 401, GENERIC_LOGIN_ERROR, username);
      return loginPage(reply, d, tenant, 403, 'This account is disabled. Ask an admin of your tenant to enable it.', username);
    }
    await throttle.signInSucceeded(tenant.id, username, req.ip);
    const m = v.manager;
    await auditSignIn(db, req, tenant, m.username, 'signin.success', via);

    if (isEntra(d)) {
      // Connecting Entra changes who can provision the tenant: admins only (issue 2 §5; the
      // SecureLogin tutorial tells admins to check exactly this permission).
      if (m.role !== 'admin') {
        return loginPage(reply, d, tenant, 403, `Your account does not have admin permission for ${tenant.name}. Only a tenant admin can connect Microsoft Entra ID. Ask an admin to sign in, or to give your account the admin role.`, username);
      }
      // A password someone else set (initial or reset) is known to them: it must not be able to
      // hand provisioning of the tenant to Entra. The console's forced change is the way out.
      if (m.mustChangePassword) return mustChangePasswordPage(reply);
      const state: StepState = { tenantId: tenant.id, pendingLogin: { managerId: m.id, username: m.username, at: Date.now() } };
      await provider.interactionResult(req.raw, reply.raw, state, { mergeWithLastSubmission: false });
      return reply.redirect(`/interaction/${d.uid}`, 303);
    }
    // Console (and any other first-party client): the account is the manager; no consent page.
    const returnTo = await provider.interactionResult(
      req.raw,
      reply.raw,
      { login: { accountId: managerAccountId(m.id), amr: ['pwd'], remember: false } },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(returnTo, 303);
  });

  app.post('/interaction/:uid/consent', async (req, reply) => {
    const d = await details(req, reply);
    if (!d || (await refuseForgery(req, reply, d))) return reply;
    const pending = d.result?.pendingLogin;
    const tenant = await enabledTenant(d.result?.tenantId);
    if (!isEntra(d) || !pending || !tenant || Date.now() - pending.at >= PENDING_LOGIN_MS) {
      return reply.redirect(`/interaction/${d.uid}`, 303);
    }
    const decision = field(req.body, 'decision', 10);
    if (decision !== 'allow') {
      // RFC 6749 §4.1.2.1: access_denied with the original state, to the registered redirect URI.
      const returnTo = await provider.interactionResult(
        req.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The administrator did not allow access.' },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(returnTo, 303);
    }
    // The manager may have lost the admin role or been disabled since signing in.
    const m = await findManagerById(db, tenant.id, pending.managerId);
    if (!m || !m.enabled || m.role !== 'admin') {
      return loginPage(reply, d, tenant, 403, 'Your account no longer has admin permission for this tenant.');
    }
    if (m.mustChangePassword) return mustChangePasswordPage(reply);
    const accountId = tenantAccountId(tenant.id);
    const grant = new provider.Grant({ accountId, clientId: config.entra.clientId });
    const requested = (d.params.scope ?? '').split(' ').filter((s) => ['openid', 'offline_access', 'scim'].includes(s));
    grant.addOIDCScope([...new Set([...requested, 'scim'])].join(' '));
    const grantId: string = await grant.save();
    await recordConnection(db, { grantId, tenantId: tenant.id, clientId: config.entra.clientId, authorizedBy: m.username });
    const returnTo = await provider.interactionResult(
      req.raw,
      reply.raw,
      { login: { accountId, amr: ['pwd'], remember: false }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(returnTo, 303);
  });
}
