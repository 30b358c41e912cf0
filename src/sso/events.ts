// SSO audit rows: every sign-in, refusal (with its reason) and sign-out, for the console.
import type { Db } from '../db/client.ts';

export interface SsoEventInput {
  tenantId: string;
  protocol: string;
  outcome: 'success' | 'refused' | 'logout' | 'test';
  reason?: string | null;
  userId?: string | null;
  subject?: string | null;
}

export async function recordSsoEvent(db: Db, e: SsoEventInput): Promise<void> {
  await db.ssoEvent.create({
    data: { tenantId: e.tenantId, protocol: e.protocol, outcome: e.outcome, reason: e.reason?.slice(0, 500) ?? null, userId: e.userId ?? null, subject: e.subject?.slice(0, 300) ?? null },
  });
}

export async function recentSsoEvents(db: Db, tenantId: string, take = 50) {
  return db.ssoEvent.findMany({ where: { tenantId }, orderBy: { id: 'desc' }, take });
}
