// Connections: one row per Entra authorization (grant) bound to a tenant, for the console
// overview and Disconnect (issue 4 §2).
import type { Db } from './client.ts';

export interface Connection {
  grantId: string;
  tenantId: string;
  clientId: string;
  authorizedBy: string | null;
  authorizedAt: Date;
  lastRefreshAt: Date | null;
  lastScimAt: Date | null;
  revokedAt: Date | null;
}

export async function recordConnection(
  db: Db,
  input: { grantId: string; tenantId: string; clientId: string; authorizedBy: string },
): Promise<void> {
  await db.connection.upsert({
    where: { grantId: input.grantId },
    create: { ...input, authorizedAt: new Date() },
    update: { authorizedBy: input.authorizedBy, revokedAt: null },
  });
}

export async function markRefreshed(db: Db, grantId: string): Promise<void> {
  await db.connection.updateMany({ where: { grantId }, data: { lastRefreshAt: new Date() } });
}

export async function markRevoked(db: Db, grantId: string): Promise<void> {
  await db.connection.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function findConnection(db: Db, grantId: string): Promise<Connection | null> {
  return db.connection.findUnique({ where: { grantId } });
}

export async function listConnections(db: Db, tenantId: string): Promise<Connection[]> {
  return db.connection.findMany({ where: { tenantId }, orderBy: { authorizedAt: 'desc' } });
}
