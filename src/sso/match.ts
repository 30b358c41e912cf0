// Who signed in: the upstream identity is matched to a PROVISIONED, ACTIVE SCIM user of the tenant
// whose endpoint received it. No just-in-time creation: a user SCIM does not know must not get in,
// or SCIM deprovisioning could be bypassed. Email matching is only on the work email, and on OIDC
// only when Entra says the domain owner verified it (xms_edov), since unverified emails can be
// claimed by anyone in a multitenant setting.
import type { Db } from '../db/client.ts';
import { findUserById, findUserByUserNameKey, findUserIdsByWorkEmail, findUsersByExternalId } from '../db/sso-users.ts';
import { findUserLink, upsertUserLink } from '../db/sso-user-links.ts';
import { searchKey } from '../scim/resources/search-key.ts';
import type { MatchAttribute } from './config-store.ts';
import { Refusal } from './refusals.ts';

export interface UpstreamIdentity {
  protocol: 'saml' | 'oidc';
  subject: string; // NameID or sub, for the audit row
  userName: string | null; // NameID (SAML) / preferred_username (OIDC): Entra's UPN by default
  objectId: string | null; // oid
  email: string | null;
  emailVerified: boolean;
  amr: string[];
  /** What single logout needs later: Entra's OIDC session id (sid claim), or the SAML NameID and
   * SessionIndex a LogoutRequest names. */
  logout?: { sid?: string | null; nameId?: string | null; sessionIndex?: string | null };
}

export interface MatchedUser {
  id: string;
  tenantId: string;
  userName: string;
}

async function findCandidate(db: Db, tenantId: string, rule: MatchAttribute, ident: UpstreamIdentity) {
  if (rule === 'userName') {
    if (!ident.userName) throw new Refusal('no_identifier', 'no NameID / preferred_username');
    return findUserByUserNameKey(db, tenantId, searchKey(ident.userName));
  }
  if (rule === 'externalId') {
    if (!ident.objectId) throw new Refusal('no_identifier', 'no objectidentifier / oid claim');
    const rows = await findUsersByExternalId(db, tenantId, ident.objectId, 2);
    return rows.length === 1 ? rows[0] : null;
  }
  if (!ident.email) throw new Refusal('no_identifier', 'no email claim');
  if (ident.protocol === 'oidc' && !ident.emailVerified) throw new Refusal('no_identifier', 'email not verified by the domain owner (xms_edov)');
  const ids = await findUserIdsByWorkEmail(db, tenantId, searchKey(ident.email), 2);
  // Two users with the same work email: matching either would be a guess.
  if (ids.length !== 1) return null;
  return findUserById(db, tenantId, ids[0]);
}

export async function matchUser(db: Db, tenantId: string, rule: MatchAttribute, ident: UpstreamIdentity): Promise<MatchedUser> {
  const u = await findCandidate(db, tenantId, rule, ident);
  if (!u) throw new Refusal('not_provisioned', `${rule} ${rule === 'userName' ? ident.userName : rule === 'externalId' ? ident.objectId : ident.email}`);
  if (!u.active) throw new Refusal('user_disabled', `user ${u.id}`);
  // Once an Entra object signed in as this user, only that object may: a UPN later reassigned to
  // another person must not open the old account.
  const link = await findUserLink(db, tenantId, u.id);
  if (link?.objectId && ident.objectId && link.objectId !== ident.objectId) throw new Refusal('identity_mismatch', `linked oid ${link.objectId}, got ${ident.objectId}`);
  const data = JSON.parse(u.data) as { userName?: string };
  return { id: u.id, tenantId, userName: data.userName ?? '' };
}

export async function recordSignIn(db: Db, user: MatchedUser, objectId: string | null): Promise<void> {
  await upsertUserLink(db, user.tenantId, user.id, objectId, new Date());
}
