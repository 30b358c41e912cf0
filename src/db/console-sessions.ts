// Server-side console sessions. The browser holds a random 256-bit value; only its
// sha256 is stored, so a database read does not yield usable cookies. Sign-out, manager removal
// (cascade) and disable take effect on the next request.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Db } from './client.ts';
import { getOrCreateSecretSetting } from './settings.ts';

export interface ConsolePrincipal {
  sessionId: string; // the stored hash
  csrfToken: string;
  idToken: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  managerId: string;
  username: string;
  role: 'admin' | 'viewer';
  mustChangePassword: boolean;
  tenantId: string;
  tenantName: string;
  tenantDomain: string;
}

export function hashSessionValue(raw: string): string {
  return storedHash(raw);
}

export async function createConsoleSession(
  db: Db,
  input: { tenantId: string; managerId: string; idToken: string | null; absoluteTimeoutSeconds: number; now?: Date },
): Promise<{ raw: string; csrfToken: string }> {
  const raw = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  const now = input.now ?? new Date();
  await db.consoleSession.create({
    data: {
      id: hashSessionValue(raw),
      tenantId: input.tenantId,
      managerId: input.managerId,
      csrfToken,
      idToken: input.idToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + input.absoluteTimeoutSeconds * 1000),
    },
  });
  return { raw, csrfToken };
}

/**
 * The session behind a cookie value, with its manager and tenant, in one Prisma call; null when
 * unknown, past its absolute or idle limit, or when the manager or tenant is disabled.
 */
export async function loadConsoleSession(db: Db, raw: string, idleTimeoutSeconds: number, now = new Date()): Promise<ConsolePrincipal | null> {
  const id = hashSessionValue(raw);
  const s = await db.consoleSession.findUnique({ where: { id }, include: { manager: { include: { tenant: true } } } });
  if (!s) return null;
  const m = s.manager;
  const idleLimit = s.lastSeenAt.getTime() + idleTimeoutSeconds * 1000;
  if (s.expiresAt <= now || idleLimit <= now.getTime() || !m.enabled || !m.tenant.enabled || m.tenantId !== s.tenantId) {
    await db.consoleSession.deleteMany({ where: { id } });
    return null;
  }
  return {
    sessionId: id,
    csrfToken: s.csrfToken,
    idToken: s.idToken,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    expiresAt: s.expiresAt,
    managerId: m.id,
    username: m.username,
    role: m.role === 'admin' ? 'admin' : 'viewer',
    mustChangePassword: m.mustChangePassword,
    tenantId: m.tenantId,
    tenantName: m.tenant.name,
    tenantDomain: m.tenant.domain,
  };
}

/** Slides the idle window. Callers throttle this (a write per page view is wasted work). */
export async function touchConsoleSession(db: Db, sessionId: string, now = new Date()): Promise<void> {
  await db.consoleSession.updateMany({ where: { id: sessionId }, data: { lastSeenAt: now } });
}

export async function deleteConsoleSession(db: Db, sessionId: string): Promise<void> {
  await db.consoleSession.deleteMany({ where: { id: sessionId } });
}

/** After a password change or a role change, other sessions of that manager must sign in again. */
export async function deleteOtherSessions(db: Db, managerId: string, keepSessionId: string | null): Promise<void> {
  await db.consoleSession.deleteMany({ where: { managerId, ...(keepSessionId ? { NOT: { id: keepSessionId } } : {}) } });
}

export async function sweepConsoleSessions(db: Db, now = new Date()): Promise<number> {
  const r = await db.consoleSession.deleteMany({ where: { expiresAt: { lt: now } } });
  return r.count;
}

// Key for signing the short-lived sign-in flow cookie. Stored once so several instances (and a
// restart mid-sign-in) agree; sealed under the data key like the other generated-once secrets.
const FLOW_KEY = 'console.flowCookieKey';

export async function consoleCookieKey(db: Db, dataKey: Buffer): Promise<Buffer> {
  const value = await getOrCreateSecretSetting(db, dataKey, FLOW_KEY, () => crypto.randomBytes(32).toString('base64url'));
  return Buffer.from(value, 'base64url');
}

/** The manager named by a verified ID token, if it still may sign in (enabled, tenant enabled). */
export async function managerForSignIn(
  db: Db,
  managerId: string,
  tenantId: string | null,
): Promise<{ id: string; tenantId: string; mustChangePassword: boolean } | null> {
  const m = await db.manager.findFirst({
    where: { id: managerId, enabled: true, tenant: { enabled: true }, ...(tenantId ? { tenantId } : {}) },
    select: { id: true, tenantId: true, mustChangePassword: true },
  });
  return m;
}
