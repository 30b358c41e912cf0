// Step 1, Go to domain: the visitor names their SecureLogin tenant ("acme", " ACME ",
// "acme.<our host>"); the tenant chosen is kept in the interaction for the sign-in step.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findTenantByDomain, type Tenant } from '../../db/tenants.ts';
import { describeWait } from '../../accounts/throttle.ts';
import { domainCandidates } from '../domain-input.ts';
import { nextStep, saveResult, type InteractionContext, type StepState } from './context.ts';
import { field, loadFormDetails } from './form.ts';
import { domainPage } from './pages.ts';

async function firstTenant(ctx: InteractionContext, candidates: string[]): Promise<Tenant | null> {
  for (const c of candidates) {
    const tenant = await findTenantByDomain(ctx.db, c);
    if (tenant) return tenant;
  }
  return null;
}

export async function postDomain(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply) {
  const d = await loadFormDetails(ctx, req, reply);
  if (!d) return reply;
  const typed = field(req.body, 'domain', 300);
  const candidates = domainCandidates(typed, ctx.publicHost);
  if (candidates.length === 0) return domainPage(ctx, reply, d, 400, 'Enter your SecureLogin domain, for example "acme".', typed);
  // Guessing domains reveals which tenants exist: unknown names count against the client's IP.
  const claim = await ctx.throttle.claimDomainLookup(req.ip);
  if (!claim.ok) {
    reply.header('retry-after', String(claim.retryAfter));
    return domainPage(ctx, reply, d, 429, `Too many unknown domains were tried from your network. Try again in ${describeWait(claim.retryAfter)}.`, typed);
  }
  const tenant = await firstTenant(ctx, candidates);
  if (!tenant) {
    return domainPage(ctx, reply, d, 404, `We could not find a SecureLogin domain called "${candidates[candidates.length - 1]}". Check the spelling, or ask your administrator for your domain.`, typed);
  }
  await ctx.throttle.succeeded(claim);
  if (!tenant.enabled) {
    return domainPage(ctx, reply, d, 403, `The SecureLogin domain "${tenant.domain}" is currently disabled. Contact SecureLogin support to re-enable it.`, typed);
  }
  await saveResult(ctx, req, reply, { tenantId: tenant.id } satisfies StepState);
  return nextStep(reply, d);
}
