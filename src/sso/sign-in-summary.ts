// For the console's Users pages: each user's last single sign-on and live end-user sessions.
// One query per table for a whole page of users, never one per row.
import type { Db } from '../db/client.ts';
import { countLiveSessions } from '../db/sso-sessions.ts';
import { findUserLink, lastSignIns } from '../db/sso-user-links.ts';
import { listUserSessions } from './sessions.ts';

export interface SignInSummary {
  lastSignInAt: Date | null;
  sessions: number;
}

export async function signInSummaries(db: Db, tenantId: string, userIds: string[]): Promise<Map<string, SignInSummary>> {
  const out = new Map<string, SignInSummary>(userIds.map((id) => [id, { lastSignInAt: null, sessions: 0 }]));
  if (userIds.length === 0) return out;
  const [links, sessions] = await Promise.all([lastSignIns(db, tenantId, userIds), countLiveSessions(db, tenantId, userIds, new Date())]);
  for (const [userId, at] of links) out.get(userId)!.lastSignInAt = at;
  for (const [userId, n] of sessions) out.get(userId)!.sessions = n;
  return out;
}

export async function userSignIns(db: Db, tenantId: string, userId: string) {
  const [link, sessions] = await Promise.all([findUserLink(db, tenantId, userId), listUserSessions(db, tenantId, userId)]);
  return { lastSignInAt: link?.lastSignInAt ?? null, sessions };
}
