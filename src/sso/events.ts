// SSO events: every sign-in, refusal (with its reason) and sign-out. One call writes both places an
// admin looks: the Single sign-on page's sign-in log (SsoEvent: protocol and SCIM user id, for the
// per-user view) and the console's audit log (AuditEvent, the Activity page's admin and security
// events, also logged as one structured line for a SIEM).
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { createSsoEvent, recentSsoEventRows, type SsoEventRow } from '../db/sso-events.ts';
import { recordAudit } from '../audit/record.ts';
import type { AuditEventName } from '../audit/events.ts';

export type SsoOutcome = 'success' | 'refused' | 'logout' | 'test';

export interface SsoEventInput {
  tenantId: string;
  protocol: string;
  outcome: SsoOutcome;
  reason?: string | null;
  userId?: string | null;
  subject?: string | null;
  /** Who acted, when not the signing-in person (an admin signing a user out). */
  actor?: string | null;
  /** The audit event, when it is not the outcome's own (a sign-out by an admin). */
  event?: AuditEventName;
}

const AUDIT_FOR: Record<SsoOutcome, AuditEventName> = { success: 'sso.signin', refused: 'sso.refused', logout: 'sso.logout', test: 'sso.test' };

const PROTOCOL_LABEL: Record<string, string> = { saml: 'SAML', oidc: 'OpenID Connect', sso: 'single sign-on', console: 'console', password: 'password sign-in' };

export async function recordSsoEvent(db: Db, e: SsoEventInput, from?: FastifyRequest): Promise<void> {
  const reason = e.reason?.slice(0, 500) ?? null;
  const subject = e.subject?.slice(0, 300) ?? null;
  await createSsoEvent(db, e.tenantId, { protocol: e.protocol, outcome: e.outcome, reason, userId: e.userId ?? null, subject });
  const via = PROTOCOL_LABEL[e.protocol] ?? e.protocol;
  await recordAudit(
    db,
    {
      event: e.event ?? AUDIT_FOR[e.outcome],
      tenantId: e.tenantId,
      actor: e.actor ?? subject,
      ip: from?.ip ?? null,
      outcome: e.outcome === 'refused' ? 'failure' : 'success',
      target: e.actor ? subject : null,
      detail: reason ? `${via}: ${reason}` : via,
    },
    from?.log,
  );
}

export async function recentSsoEvents(db: Db, tenantId: string, take = 50): Promise<SsoEventRow[]> {
  return recentSsoEventRows(db, tenantId, take);
}
