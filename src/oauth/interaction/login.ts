// Step 2, sign in: a manager of the chosen tenant proves their password, or signs in with Microsoft
// through the tenant's single sign-on. For the console the interaction ends here, signed in as that
// manager; for Entra's Authorize the verified sign-in is kept (not yet an account) until the
// consent step. When the tenant requires single sign-on, only admins may use a password.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../../db/tenants.ts';
import { recordManagerLogin, type Manager } from '../../db/managers.ts';
import { verifyManagerPassword } from '../../accounts/managers.ts';
import { verifyDummy } from '../../accounts/passwords.ts';
import { describeWait } from '../../accounts/throttle.ts';
import { auditSignIn } from '../../audit/sign-in.ts';
import { managerAccountId } from '../accounts-ids.ts';
import { amrValues } from '../../sso/broker.ts';
import { passwordSignInRefused } from '../../sso/enforcement.ts';
import { recordSsoEvent } from '../../sso/events.ts';
import type { ManagerSignIn } from '../../sso/manager-sign-in.ts';
import { enabledTenant, isEntra, nextStep, saveResult, type Details, type InteractionContext, type StepState } from './context.ts';
import { field, loadFormDetails } from './form.ts';
import { domainPage, loginPage, mustChangePasswordPage } from './pages.ts';

const GENERIC_LOGIN_ERROR = 'The username or password is not correct.';

const ssoRequiredError = (tenant: Tenant) =>
  `${tenant.name} requires single sign-on: choose "Sign in with Microsoft" below. Only admins of ${tenant.name} can sign in with a password.`;

/** What the sign-in steps below need of a manager. */
type SigningIn = Pick<Manager, 'id' | 'username' | 'role' | 'mustChangePassword'>;

/** One sign-in attempt as the handlers below see it. */
interface Attempt {
  req: FastifyRequest;
  reply: FastifyReply;
  d: Details;
  tenant: Tenant;
  username: string;
  /** Which flow the audit log names: Entra's Authorize or the console. */
  via: string;
}

export async function postLogin(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply) {
  const d = await loadFormDetails(ctx, req, reply);
  if (!d) return reply;
  const tenant = await enabledTenant(ctx, d.result?.tenantId);
  if (!tenant) return domainPage(ctx, reply, d, 400, 'Choose your domain first.');
  const username = field(req.body, 'username', 200).trim();
  const password = field(req.body, 'password', 1024);
  if (!username || !password) return loginPage(ctx, reply, d, tenant, 400, 'Enter your username and password.', username);
  const attempt: Attempt = { req, reply, d, tenant, username, via: isEntra(ctx, d) ? 'Entra authorization' : 'console' };
  const manager = await verifyAttempt(ctx, attempt, password);
  if (!manager) return reply;
  if (isEntra(ctx, d)) return holdForConsent(ctx, attempt, manager);
  return signInToConsole(ctx, attempt, manager);
}

/** The manager whose password this is, or null once the refusal has been sent (and audited). */
async function verifyAttempt(ctx: InteractionContext, a: Attempt, password: string): Promise<Manager | null> {
  const { req, reply, d, tenant, username, via } = a;
  // The attempt is counted before the password is checked (one atomic step per counter), so
  // parallel guesses cannot all slip under the limit.
  const claim = await ctx.throttle.claimSignIn(tenant.id, username, req.ip);
  if (!claim.ok) {
    await auditSignIn(ctx.db, req, tenant, username, 'signin.locked', `${via}: paused for ${claim.retryAfter} s`);
    reply.header('retry-after', String(claim.retryAfter));
    await loginPage(ctx, reply, d, tenant, 429, `Too many failed sign-in attempts. For your security, sign-in is paused: try again in ${describeWait(claim.retryAfter)}.`, username);
    return null;
  }
  // After the claim (a refused attempt still counts against the limit), before the password.
  if (await passwordSignInRefused(ctx.db, tenant.id, username)) {
    // Only admins' passwords are checked under enforcement: without the same hash work here, the
    // response time would tell admin usernames from all others.
    await verifyDummy(password, ctx.config.argon2);
    await recordSsoEvent(ctx.db, { tenantId: tenant.id, protocol: 'password', outcome: 'refused', reason: `sso_required: ${via}, not an admin`, subject: username }, req);
    await loginPage(ctx, reply, d, tenant, 403, ssoRequiredError(tenant), username);
    return null;
  }
  const v = await verifyManagerPassword({ db: ctx.db, config: ctx.config }, tenant.id, username, password);
  if (!v.ok) {
    await auditSignIn(ctx.db, req, tenant, username, 'signin.failure', `${via}: ${v.reason === 'invalid' ? 'wrong username or password' : 'account disabled'}`);
    if (v.reason === 'invalid') await loginPage(ctx, reply, d, tenant, 401, GENERIC_LOGIN_ERROR, username);
    else await loginPage(ctx, reply, d, tenant, 403, 'This account is disabled. Ask an admin of your tenant to enable it.', username);
    return null;
  }
  await ctx.throttle.signInSucceeded(tenant.id, username, req.ip);
  await auditSignIn(ctx.db, req, tenant, v.manager.username, 'signin.success', via);
  return v.manager;
}

/** Entra's Authorize: only an admin with a password of their own goes on to the consent page. */
async function holdForConsent(ctx: InteractionContext, a: Attempt, m: SigningIn, amr: string[] = ['pwd']) {
  const { req, reply, d, tenant, username } = a;
  // Connecting Entra changes who can provision the tenant: admins only (the SecureLogin setup
  // tutorial for Entra tells admins to check exactly this permission).
  if (m.role !== 'admin') {
    return loginPage(ctx, reply, d, tenant, 403, `Your account does not have admin permission for ${tenant.name}. Only a tenant admin can connect Microsoft Entra ID. Ask an admin to sign in, or to give your account the admin role.`, username);
  }
  // A password someone else set (initial or reset) is known to them: it must not be able to
  // hand provisioning of the tenant to Entra. The console's forced change is the way out.
  if (m.mustChangePassword) return mustChangePasswordPage(ctx, reply);
  const state: StepState = { tenantId: tenant.id, pendingLogin: { managerId: m.id, username: m.username, at: Date.now(), amr } };
  await saveResult(ctx, req, reply, state);
  return nextStep(reply, d);
}

/** The console (and any other first-party client): the account is the manager; no consent page.
 * `amr` (RFC 8176) says how they signed in. */
async function signInToConsole(ctx: InteractionContext, a: Attempt, m: SigningIn, amr: string[] = ['pwd']) {
  const returnTo = await saveResult(ctx, a.req, a.reply, { login: { accountId: managerAccountId(m.id), amr, remember: false } });
  return a.reply.redirect(returnTo, 303);
}

/** The tenant's single sign-on vouched for this manager: from here on like a password sign-in. */
export async function signInWithMicrosoft(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply, d: Details, tenant: Tenant, s: ManagerSignIn) {
  const m = s.manager;
  const via = isEntra(ctx, d) ? 'Entra authorization' : 'console';
  const event = { tenantId: tenant.id, protocol: s.protocol, userId: s.userId, subject: m.username };
  if (!m.enabled) {
    await recordSsoEvent(ctx.db, { ...event, outcome: 'refused', reason: `manager_disabled: ${via}` }, req);
    return loginPage(ctx, reply, d, tenant, 403, 'This account is disabled. Ask an admin of your tenant to enable it.');
  }
  await recordManagerLogin(ctx.db, m.id);
  await recordSsoEvent(ctx.db, { ...event, outcome: 'success', reason: `${via}: signed in as manager ${m.username}` }, req);
  const a: Attempt = { req, reply, d, tenant, username: m.username, via };
  if (isEntra(ctx, d)) return holdForConsent(ctx, a, m, amrValues(s.amr));
  return signInToConsole(ctx, a, m, amrValues(s.amr));
}
