// End-user sessions: a random cookie value whose SHA-256 is the row id (a database leak yields no
// usable cookie). Every use re-checks the absolute and idle limits, the tenant (enabled) and the
// SCIM user (still there, active=true), so SCIM deprovisioning ends every session of the user at
// its next request, on every instance.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findTenantById } from '../db/tenants.ts';
import { findUserById } from '../db/sso-users.ts';
import {
  createEndUserSession,
  deleteEndUserSession,
  deleteExpiredEndUserSessions,
  deleteSessionsByUpstreamSid,
  deleteUserSessions,
  findEndUserSession,
  listLiveUserSessions,
  touchEndUserSession,
  type SessionSummary,
} from '../db/sso-sessions.ts';

export function sessionCookieName(config: Config): string {
  // __Host-: the browser refuses it without Secure, with a Domain, or with a path other than /.
  return config.publicUrl.startsWith('https:') ? '__Host-sl_user' : 'sl_user';
}

export function cookieOptions(config: Config) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.startsWith('https:') };
}


/** lastSeenAt is written at most once a minute: the idle limit needs no finer grain. */
const TOUCH_MS = 60_000;

export interface LiveSession {
  id: string;
  tenantId: string;
  userId: string;
  csrfToken: string;
  protocol: string;
  amr: string[];
  createdAt: Date;
  expiresAt: Date;
  upstream: UpstreamSessionRef;
  user: { id: string; userName: string; data: Record<string, unknown> };
  tenant: { id: string; domain: string; name: string };
}

export interface UpstreamSessionRef {
  sid?: string | null;
  nameId?: string | null;
  sessionIndex?: string | null;
}

export async function createSession(db: Db, config: Config, input: { tenantId: string; userId: string; protocol: string; amr: string[]; upstream?: UpstreamSessionRef }) {
  const value = crypto.randomBytes(32).toString('base64url');
  const now = Date.now();
  await createEndUserSession(db, {
    id: storedHash(value),
    tenantId: input.tenantId,
    userId: input.userId,
    csrfToken: crypto.randomBytes(24).toString('base64url'),
    protocol: input.protocol,
    amr: JSON.stringify(input.amr),
    upstreamSid: input.upstream?.sid?.slice(0, 200) ?? null,
    samlNameId: input.upstream?.nameId?.slice(0, 500) ?? null,
    samlSessionIndex: input.upstream?.sessionIndex?.slice(0, 200) ?? null,
    expiresAt: new Date(now + config.sso.sessionAbsoluteSeconds * 1000),
  });
  return { value, maxAge: config.sso.sessionAbsoluteSeconds };
}

export async function loadSession(db: Db, config: Config, cookieValue: string | undefined): Promise<LiveSession | null> {
  if (!cookieValue || cookieValue.length > 100) return null;
  const id = storedHash(cookieValue);
  const s = await findEndUserSession(db, id);
  if (!s) return null;
  const now = Date.now();
  const idleOver = s.lastSeenAt.getTime() + config.sso.sessionIdleSeconds * 1000 <= now;
  const [user, tenant] = await Promise.all([findUserById(db, s.tenantId, s.userId), findTenantById(db, s.tenantId)]);
  if (s.expiresAt.getTime() <= now || idleOver || !user || !user.active || !tenant || !tenant.enabled) {
    await deleteEndUserSession(db, s.tenantId, id);
    return null;
  }
  if (now - s.lastSeenAt.getTime() > TOUCH_MS) await touchEndUserSession(db, s.tenantId, id, new Date(now));
  const data = JSON.parse(user.data) as Record<string, unknown>;
  return {
    id,
    tenantId: s.tenantId,
    userId: s.userId,
    csrfToken: s.csrfToken,
    protocol: s.protocol,
    amr: JSON.parse(s.amr) as string[],
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    upstream: { sid: s.upstreamSid, nameId: s.samlNameId, sessionIndex: s.samlSessionIndex },
    user: { id: user.id, userName: String(data.userName ?? ''), data },
    tenant: { id: tenant.id, domain: tenant.domain, name: tenant.name },
  };
}

export async function destroySession(db: Db, tenantId: string, id: string): Promise<void> {
  await deleteEndUserSession(db, tenantId, id);
}

/** "Sign out everywhere" and SCIM deprovisioning clean-up. */
export async function destroyUserSessions(db: Db, tenantId: string, userId: string): Promise<number> {
  return deleteUserSessions(db, tenantId, userId);
}

/** Front-channel logout: the upstream session is named by Entra, our cookie is not sent. */
export async function destroySessionsBySid(db: Db, tenantId: string, sid: string) {
  return deleteSessionsByUpstreamSid(db, tenantId, sid);
}

export async function listUserSessions(db: Db, tenantId: string, userId: string): Promise<SessionSummary[]> {
  return listLiveUserSessions(db, tenantId, userId, new Date());
}

export async function sweepSessions(db: Db): Promise<void> {
  await deleteExpiredEndUserSessions(db, new Date());
}
