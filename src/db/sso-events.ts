// The single sign-on log of a tenant: every sign-in, refusal (with its reason) and sign-out.
import type { Db } from './client.ts';

export interface SsoEventRow {
  id: number;
  tenantId: string;
  at: Date;
  protocol: string;
  outcome: string;
  reason: string | null;
  userId: string | null;
  subject: string | null;
}

export async function createSsoEvent(db: Db, tenantId: string, e: { protocol: string; outcome: string; reason: string | null; userId: string | null; subject: string | null }): Promise<void> {
  await db.ssoEvent.create({ data: { tenantId, protocol: e.protocol, outcome: e.outcome, reason: e.reason, userId: e.userId, subject: e.subject } });
}

export async function recentSsoEventRows(db: Db, tenantId: string, take: number): Promise<SsoEventRow[]> {
  return db.ssoEvent.findMany({ where: { tenantId }, orderBy: { id: 'desc' }, take });
}
