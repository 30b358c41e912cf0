// Sign-in outcomes on the shared sign-in page (console and Entra Authorize), as audit events.
// The username is the one typed, so failures for unknown names are visible too; never the password.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { recordAudit } from './record.ts';

export function auditSignIn(
  db: Db,
  req: FastifyRequest,
  tenant: { id: string; domain: string },
  username: string,
  event: 'signin.success' | 'signin.failure' | 'signin.locked',
  detail: string,
): Promise<void> {
  return recordAudit(
    db,
    { event, tenantId: tenant.id, tenant: tenant.domain, actor: username, ip: req.ip, outcome: event === 'signin.success' ? 'success' : 'failure', detail },
    req.log,
  );
}
