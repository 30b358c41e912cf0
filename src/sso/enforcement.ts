// What a tenant's single sign-on means for its managers' sign-in page. Provisioned users have no
// password here; managers do, so "single sign-on required" applies to them: a manager who is not an
// admin must sign in with Microsoft. Admins keep their password as the way in when Entra or the
// tenant's SSO settings are broken (break-glass), which also keeps a tenant from locking itself out.
import type { Db } from '../db/client.ts';
import { findSsoConfig } from '../db/sso-config.ts';
import { findManagerRole } from '../db/sso-managers.ts';
import { managerStartPath } from './manager-sign-in.ts';

export interface MicrosoftSignInOffer {
  /** Where "Sign in with Microsoft" starts for this interaction. */
  url: string;
  /** Whether non-admin managers must use it. */
  required: boolean;
}

/** The "Sign in with Microsoft" button of the manager sign-in page, when the tenant has SSO. */
export async function microsoftSignInOffer(db: Db, tenantId: string, uid: string): Promise<MicrosoftSignInOffer | null> {
  const cfg = await findSsoConfig(db, tenantId);
  return cfg ? { url: managerStartPath(uid), required: cfg.enforce } : null;
}

/** Whether a password sign-in as `username` is refused because SSO is required: any name that is
 * not an admin's, so the answer does not tell unknown names from viewers. Decided before the
 * password is checked, so it says nothing about the password. */
export async function passwordSignInRefused(db: Db, tenantId: string, username: string): Promise<boolean> {
  const cfg = await findSsoConfig(db, tenantId);
  if (!cfg?.enforce) return false;
  return (await findManagerRole(db, tenantId, username)) !== 'admin';
}
