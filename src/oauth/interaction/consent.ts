// Step 3, consent (Entra's Authorize only): the admin who signed in allows Microsoft Entra ID to
// provision the tenant. Allowing creates the grant and the Connection row the console lists.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../../db/tenants.ts';
import { findManagerById } from '../../db/managers.ts';
import { recordConnection } from '../../db/connections.ts';
import { tenantAccountId } from '../accounts-ids.ts';
import { enabledTenant, isEntra, nextStep, PENDING_LOGIN_MS, saveResult, type Details, type InteractionContext } from './context.ts';
import { field, loadFormDetails } from './form.ts';
import { loginPage, mustChangePasswordPage } from './pages.ts';

/** The scopes Entra may ask for; `scim` is always granted because Entra may send no scope at all
 * and oidc-provider denies an authorization that ends with no granted scope. */
const GRANTABLE_SCOPES = ['openid', 'offline_access', 'scim'];

export async function postConsent(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply) {
  const d = await loadFormDetails(ctx, req, reply);
  if (!d) return reply;
  const pending = d.result?.pendingLogin;
  const tenant = await enabledTenant(ctx, d.result?.tenantId);
  if (!isEntra(ctx, d) || !pending || !tenant || Date.now() - pending.at >= PENDING_LOGIN_MS) return nextStep(reply, d);
  if (field(req.body, 'decision', 10) !== 'allow') return deny(ctx, req, reply);
  // The manager may have lost the admin role or been disabled since signing in.
  const m = await findManagerById(ctx.db, tenant.id, pending.managerId);
  if (!m || !m.enabled || m.role !== 'admin') {
    return loginPage(ctx, reply, d, tenant, 403, 'Your account no longer has admin permission for this tenant.');
  }
  if (m.mustChangePassword) return mustChangePasswordPage(ctx, reply);
  return allow(ctx, req, reply, d, tenant, m.username, pending.amr ?? ['pwd']);
}

/** RFC 6749 §4.1.2.1: access_denied with the original state, to the registered redirect URI. */
async function deny(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply) {
  const returnTo = await saveResult(ctx, req, reply, { error: 'access_denied', error_description: 'The administrator did not allow access.' });
  return reply.redirect(returnTo, 303);
}

/** The grant is the tenant's, not the manager's: Entra provisions the tenant whoever authorized it. */
async function allow(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply, d: Details, tenant: Tenant, authorizedBy: string, amr: string[]) {
  const { config, db, provider } = ctx;
  const accountId = tenantAccountId(tenant.id);
  const grant = new provider.Grant({ accountId, clientId: config.entra.clientId });
  const requested = (d.params.scope ?? '').split(' ').filter((s) => GRANTABLE_SCOPES.includes(s));
  grant.addOIDCScope([...new Set([...requested, 'scim'])].join(' '));
  const grantId: string = await grant.save();
  await recordConnection(db, { grantId, tenantId: tenant.id, clientId: config.entra.clientId, authorizedBy });
  const returnTo = await saveResult(ctx, req, reply, { login: { accountId, amr, remember: false }, consent: { grantId } });
  return reply.redirect(returnTo, 303);
}
