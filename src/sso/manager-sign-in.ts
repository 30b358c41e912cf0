// Managers signing in with Microsoft: the tenant's single sign-on (SAML or OpenID Connect, as
// configured) identifies a provisioned, active user of the tenant, and the manager of the same
// tenant whose username equals (case-insensitively) that user's userName or one of its emails is
// signed in. Managers have passwords but no Entra link of their own, so this is the one way an
// Entra sign-in vouches for a manager.
//
// The assertion arrives at the ACS, a cross-site POST outside the interaction, so the verified
// sign-in waits there as a single-use pending login for THIS interaction only, for a few minutes,
// in the browser that carries its cookie: a sign-in started from a link an attacker sent cannot
// complete the attacker's own interaction, since the attacker's browser never gets that cookie.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findManagersByNames, type SsoManagerRow } from '../db/sso-managers.ts';
import { consumePendingLoginRow, createPendingLoginRow } from '../db/sso-pending-logins.ts';
import { findUserById } from '../db/sso-users.ts';
import { recordSignIn, type MatchedUser, type UpstreamIdentity } from './match.ts';
import { Refusal } from './refusals.ts';

const COOKIE = 'sl_manager_sso';
/** The browser comes straight back from the ACS; five minutes bounds an abandoned sign-in. */
const PENDING_TTL_MS = 5 * 60_000;
const UID = '[A-Za-z0-9_-]{1,100}';
const DONE = new RegExp(`^/interaction/(${UID})/login/microsoft/done$`);

/** The pending login serves one interaction, never an app launch (those are keyed by client id). */
const pendingKey = (uid: string) => `manager:${uid}`;

export const managerStartPath = (uid: string) => `/interaction/${uid}/login/microsoft`;
export const managerDonePath = (uid: string) => `/interaction/${uid}/login/microsoft/done`;

/** The interaction a sign-in's return path finishes, when it is a manager sign-in. */
export function managerInteraction(returnTo: string | null): string | null {
  return returnTo ? (DONE.exec(returnTo)?.[1] ?? null) : null;
}

/** The manager an active provisioned user vouches for, or null. A match on userName wins over one
 * on an email; among emails the order is the username's, so the choice never varies. */
export async function managerForUser(db: Db, tenantId: string, userId: string): Promise<SsoManagerRow | null> {
  const u = await findUserById(db, tenantId, userId);
  if (!u?.active) return null;
  const d = JSON.parse(u.data) as { userName?: unknown; emails?: Array<{ value?: unknown }> };
  const userName = typeof d.userName === 'string' ? d.userName : '';
  const emails = (Array.isArray(d.emails) ? d.emails : []).flatMap((e) => (typeof e?.value === 'string' ? [e.value] : []));
  const found = await findManagersByNames(db, tenantId, [userName, ...emails]);
  return found.find((m) => m.username.toLowerCase() === userName.trim().toLowerCase()) ?? found[0] ?? null;
}

/** At the ACS or the OIDC callback: refuses when the user is no manager (their last sign-in stays
 * as it was), else records the sign-in, keeps it for the interaction and sends the browser back. */
export async function holdManagerSignIn(reply: FastifyReply, deps: { db: Db; config: Config }, input: { uid: string; user: MatchedUser; identity: UpstreamIdentity }) {
  const { user, identity } = input;
  const m = await managerForUser(deps.db, user.tenantId, user.id);
  if (!m) throw new Refusal('not_a_manager', `user ${user.id}`);
  await recordSignIn(deps.db, user, identity.objectId);
  const handle = crypto.randomBytes(32).toString('base64url');
  await createPendingLoginRow(deps.db, {
    id: storedHash(handle),
    tenantId: user.tenantId,
    clientId: pendingKey(input.uid),
    userId: user.id,
    protocol: identity.protocol,
    amr: identity.amr,
    expiresAt: new Date(Date.now() + PENDING_TTL_MS),
  });
  reply.setCookie(COOKIE, handle, { path: managerDonePath(input.uid), httpOnly: true, sameSite: 'lax', secure: deps.config.publicUrl.startsWith('https:'), maxAge: PENDING_TTL_MS / 1000 });
  return reply.redirect(managerDonePath(input.uid), 303);
}

export interface ManagerSignIn {
  manager: SsoManagerRow;
  userId: string;
  protocol: string;
  amr: string[];
}

/** Back in the interaction: the kept sign-in, once, with the manager re-read now; null when there
 * is none for this interaction in this browser, or the user no longer vouches for a manager. */
export async function takeManagerSignIn(db: Db, req: FastifyRequest, reply: FastifyReply, tenantId: string, uid: string): Promise<ManagerSignIn | null> {
  const handle = req.cookies?.[COOKIE];
  reply.clearCookie(COOKIE, { path: managerDonePath(uid) });
  if (!handle || handle.length > 100) return null;
  const p = await consumePendingLoginRow(db, tenantId, storedHash(handle), pendingKey(uid));
  if (!p) return null;
  const manager = await managerForUser(db, tenantId, p.userId);
  return manager ? { manager, userId: p.userId, protocol: p.protocol, amr: p.amr } : null;
}
