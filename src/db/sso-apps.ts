// SecureLogin applications registered by a tenant. An app is found by its client id alone: the
// client id is what tells which tenant an authorization request belongs to.
import type { Db } from './client.ts';

export interface SsoAppStored {
  id: string;
  tenantId: string;
  name: string;
  redirectUris: string[];
  isPublic: boolean;
  secretHash: string | null;
  initiateLoginUri: string | null;
}

export async function createSsoApp(db: Db, app: SsoAppStored): Promise<void> {
  await db.ssoApp.create({ data: { ...app, redirectUris: JSON.stringify(app.redirectUris) } });
}

export async function findSsoApp(db: Db, clientId: string): Promise<SsoAppStored | null> {
  const r = await db.ssoApp.findUnique({
    where: { id: clientId },
    select: { id: true, tenantId: true, name: true, redirectUris: true, isPublic: true, secretHash: true, initiateLoginUri: true },
  });
  return r ? { ...r, redirectUris: JSON.parse(r.redirectUris) as string[] } : null;
}
