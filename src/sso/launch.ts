// IdP-initiated sign-in into a SecureLogin app (the My Apps tile with Relay State = the app's
// client id). An unsolicited assertion has no authorization request to finish, so the verified
// sign-in waits here as a single-use pending login and the browser goes to the app's
// initiate_login_uri (OpenID Connect Core §4); the app then starts a normal authorization request,
// which the broker interaction completes from the pending login without asking Entra again.
// RelayState is only ever an app key looked up among this tenant's apps, never a URL (an open
// redirect), and the pending login serves only the app it names, once, in the browser that
// carries its cookie, for a few minutes.
import crypto from 'node:crypto';
import { storedHash } from '../secrets/stored-hash.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { consumePendingLoginRow, createPendingLoginRow, deleteExpiredPendingLogins } from '../db/sso-pending-logins.ts';
import { APP_CLIENT_ID_PREFIX, findApp } from './apps.ts';

export const LAUNCH_COOKIE = 'sl_launch';
/** The app's login page answers at once; five minutes bounds an abandoned launch. */
const PENDING_TTL_MS = 5 * 60_000;


export interface LaunchTarget {
  clientId: string;
  initiateLoginUri: string;
}

/** The app a RelayState names, when it is an app of this tenant that can be launched. */
export async function launchTarget(db: Db, tenantId: string, relayState: unknown): Promise<LaunchTarget | null> {
  // SAML Bindings §3.4.3 / §3.5.3: RelayState is at most 80 bytes.
  if (typeof relayState !== 'string' || relayState.length > 80 || !relayState.startsWith(APP_CLIENT_ID_PREFIX)) return null;
  const app = await findApp(db, relayState);
  if (!app || app.tenantId !== tenantId || !app.initiateLoginUri) return null;
  return { clientId: app.id, initiateLoginUri: app.initiateLoginUri };
}

export function launchCookieOptions(config: Config) {
  return { path: '/interaction', httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.startsWith('https:'), maxAge: PENDING_TTL_MS / 1000 };
}

export async function createPendingLogin(db: Db, input: { tenantId: string; clientId: string; userId: string; protocol: string; amr: string[] }): Promise<string> {
  const handle = crypto.randomBytes(32).toString('base64url');
  await createPendingLoginRow(db, { id: storedHash(handle), ...input, expiresAt: new Date(Date.now() + PENDING_TTL_MS) });
  return handle;
}

/** The URL of OpenID Connect Core §4: iss tells the app which issuer to start the login at. */
export function initiateLoginUrl(config: Config, target: LaunchTarget): string {
  const u = new URL(target.initiateLoginUri);
  u.searchParams.set('iss', `${config.publicUrl}/oauth`);
  return u.toString();
}

/** Marks the pending login used, once, for this app and tenant only. */
export async function consumePendingLogin(db: Db, handle: string | undefined, clientId: string, tenantId: string) {
  if (!handle || handle.length > 100) return null;
  return consumePendingLoginRow(db, tenantId, storedHash(handle), clientId);
}

export async function sweepPendingLogins(db: Db): Promise<void> {
  await deleteExpiredPendingLogins(db, new Date());
}
