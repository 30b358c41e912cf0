// The pages of the interaction steps: the step forms and the dead ends (expired, forged, refused).
import type { FastifyReply } from 'fastify';
import type { Tenant } from '../../db/tenants.ts';
import { CONSOLE_CLIENT_ID } from '../clients.ts';
import { csrfToken } from '../csrf.ts';
import { renderPage, type PageData } from '../render.ts';
import { isEntra, type Details, type InteractionContext } from './context.ts';
import { microsoftSignInOffer } from '../../sso/enforcement.ts';

export async function page(reply: FastifyReply, status: number, view: string, data: PageData) {
  reply.code(status).type('text/html; charset=utf-8');
  return reply.send(await renderPage(view, data));
}

function clientLabel(d: Details): string {
  return d.params.client_id === CONSOLE_CLIENT_ID ? 'the SecureLogin console' : 'Microsoft Entra ID';
}

/** What every step form carries: the interaction, its form token and who asked for the sign-in. */
function common(ctx: InteractionContext, d: Details) {
  return { uid: d.uid, csrf: csrfToken(ctx.csrfKey, d.uid), clientLabel: clientLabel(d), isEntra: isEntra(ctx, d) };
}

export function domainPage(ctx: InteractionContext, reply: FastifyReply, d: Details, status = 200, error: string | null = null, value = '') {
  return page(reply, status, 'interaction/domain', { title: 'Go to your domain', ...common(ctx, d), error, value, publicHost: ctx.publicHost });
}

export async function loginPage(ctx: InteractionContext, reply: FastifyReply, d: Details, tenant: Tenant, status = 200, error: string | null = null, username = '') {
  const microsoft = await microsoftSignInOffer(ctx.db, tenant.id, d.uid);
  return page(reply, status, 'interaction/login', { title: `Sign in to ${tenant.name}`, ...common(ctx, d), tenant, error, username, microsoft });
}

export function consentPage(ctx: InteractionContext, reply: FastifyReply, d: Details, tenant: Tenant, username: string) {
  return page(reply, 200, 'interaction/consent', { title: 'Allow access', ...common(ctx, d), tenant, username });
}

export function expiredPage(reply: FastifyReply) {
  return page(reply, 400, 'error', {
    title: 'Sign-in expired',
    heading: 'This sign-in has expired',
    message: 'This sign-in page is no longer valid: it timed out, was already used, or was opened in a different browser. Go back to where you started and try again.',
    code: 'session_not_found',
  });
}

export function forgedFormPage(reply: FastifyReply) {
  return page(reply, 403, 'error', {
    title: 'Form expired',
    heading: 'This form has expired',
    message: 'The form could not be accepted because it did not come from this sign-in page. Go back, reload the page and try again.',
    code: 'csrf',
  });
}

export function mustChangePasswordPage(ctx: InteractionContext, reply: FastifyReply) {
  return page(reply, 403, 'error', {
    title: 'Change your password first',
    heading: 'Change your password before connecting Microsoft Entra ID',
    message: `Your password was set by an administrator and must be changed before it can authorize Microsoft Entra ID. Sign in to the SecureLogin console at ${ctx.publicOrigin}/console, choose a new password there, then click Authorize in Entra again.`,
    code: 'password_change_required',
  });
}
