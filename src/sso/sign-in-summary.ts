// For the console's Users pages: each user's last single sign-on and live end-user sessions.
// One query per table for a whole page of users, never one per row.
import type { Db } from '../db/client.ts';
import { listUserSessions } from './sessions.ts';

export interface SignInSummary {
  lastSignInAt: Date | null;
  sessions: number;
}

export async function signInSummaries(db: Db, tenantId: string, userIds: string[]): Promise<Map<string, SignInSummary>> {
  const out = new Map<string, SignInSummary>(userIds.map((id) => [id, { lastSignInAt: null, sessions: 0 }]));
  if (userIds.length === 0) return out;
  const [links, sessions] = await Promise.all([
    db.ssoUserLink.findMany({ where: { tenantId, userId: { in: userIds } }, select: { userId: true, lastSignInAt: true } }),
    db.endUserSession.groupBy({ by: ['userId'], where: { tenantId, userId: { in: userIds }, expiresAt: { gt: new Date() } }, _count: { _all: true } }),
  ]);
  for (const l of links) out.get(l.userId)!.lastSignInAt = l.lastSignInAt;
  for (const s of sessions) out.get(s.userId)!.sessions = s._count._all;
  return out;
}

export async function userSignIns(db: Db, tenantId: string, userId: string) {
  const [link, sessions] = await Promise.all([
    db.ssoUserLink.findUnique({ where: { userId }, select: { tenantId: true, lastSignInAt: true } }),
    listUserSessions(db, tenantId, userId),
  ]);
  return { lastSignInAt: link && link.tenantId === tenantId ? link.lastSignInAt : null, sessions };
}
