// Plumbing shared by the interaction steps (Go to domain → sign in → consent). The steps talk to
// oidc-provider only through interactionDetails / interactionResult, so the library's session and
// cookie handling stay its own. State between steps is kept in the interaction itself (server-side,
// bound to the interaction cookie), never in hidden form fields a visitor could edit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { findTenantById, type Tenant } from '../../db/tenants.ts';
import type { LoginThrottle } from '../../accounts/throttle.ts';

/** How long a verified sign-in waits for the consent decision. */
export const PENDING_LOGIN_MS = 10 * 60 * 1000;

/** What the steps remember between requests, stored as the interaction's last result. */
export interface StepState {
  tenantId?: string;
  pendingLogin?: { managerId: string; username: string; at: number; amr?: string[] };
}

/** What a finished step hands to oidc-provider: a signed-in account (and its grant), or a refusal. */
export type FinalResult =
  | { login: { accountId: string; amr: string[]; remember: false }; consent?: { grantId: string } }
  | { error: string; error_description: string };

export interface Details {
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

export interface InteractionContext extends InteractionDeps {
  publicHost: string;
  publicOrigin: string;
}

export function interactionContext(deps: InteractionDeps): InteractionContext {
  const url = new URL(deps.config.publicUrl);
  return { ...deps, publicHost: url.hostname, publicOrigin: url.origin };
}

export function isEntra(ctx: InteractionContext, d: Details): boolean {
  return d.params.client_id === ctx.config.entra.clientId;
}

export async function enabledTenant(ctx: InteractionContext, id: string | undefined): Promise<Tenant | null> {
  if (!id) return null;
  const t = await findTenantById(ctx.db, id);
  return t && t.enabled ? t : null;
}

/** Replaces the interaction's result (each step's state stands alone) and returns where to go next. */
export function saveResult(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply, result: StepState | FinalResult): Promise<string> {
  return ctx.provider.interactionResult(req.raw, reply.raw, result, { mergeWithLastSubmission: false });
}

/** Back to the interaction page, which shows whichever step the saved state calls for. */
export function nextStep(reply: FastifyReply, d: Details) {
  return reply.redirect(`/interaction/${d.uid}`, 303);
}
