// Records one admin or security event: a row in the audit log and, when a logger is given (the
// server), one structured line on stdout that a SIEM can collect. Secrets never go in: callers
// pass names and usernames only, and `detail` is for plain words (a role, a reason).
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import { insertAudit } from '../db/audit.ts';
import type { AuditEventName } from './events.ts';

export interface AuditInput {
  event: AuditEventName;
  tenantId: string | null;
  /** The tenant's domain, for the log line (the row keeps the id). */
  tenant?: string | null;
  actor: string | null;
  ip?: string | null;
  outcome: 'success' | 'failure';
  target?: string | null;
  detail?: string | null;
}

const MAX = 500;
const clip = (s: string | null | undefined) => (s ? s.slice(0, MAX) : null);

export async function recordAudit(db: Db, e: AuditInput, log?: FastifyBaseLogger): Promise<void> {
  const row = {
    tenantId: e.tenantId,
    at: new Date(),
    event: e.event,
    actor: clip(e.actor),
    ip: clip(e.ip),
    outcome: e.outcome,
    target: clip(e.target),
    detail: clip(e.detail),
  };
  log?.info(
    { security_event: e.event, tenant: e.tenant ?? e.tenantId, tenantId: e.tenantId, actor: row.actor, ip: row.ip, outcome: e.outcome, target: row.target, detail: row.detail },
    `security event ${e.event}`,
  );
  try {
    await insertAudit(db, row);
  } catch (err) {
    // The action itself has happened; a lost audit row must be visible to the operator.
    log?.error({ err, security_event: e.event }, 'audit row could not be stored');
    if (!log) throw err;
  }
}
