// "Sign out everywhere" by a tenant admin: ends every end-user session of one SCIM user of the
// admin's tenant and records who did it. The user's next request on any browser or instance finds
// no session row.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { recordSsoEvent } from './events.ts';
import { destroyUserSessions } from './sessions.ts';

export async function signOutEverywhere(db: Db, req: FastifyRequest, me: { tenantId: string; username: string }, user: { id: string; userName: string }): Promise<number> {
  const n = await destroyUserSessions(db, me.tenantId, user.id);
  await recordSsoEvent(
    db,
    { tenantId: me.tenantId, protocol: 'console', outcome: 'logout', event: 'sso.user_signed_out', reason: `signed out everywhere by ${me.username} (${n} session(s))`, userId: user.id, subject: user.userName, actor: me.username },
    req,
  );
  return n;
}
