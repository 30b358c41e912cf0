// The common end of every upstream sign-in (SAML or OIDC): match the provisioned user, record it,
// open the end-user session and continue to where the sign-in was started.
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { MatchAttribute } from './config-store.ts';
import { recordSsoEvent } from './events.ts';
import { matchUser, recordSignIn, type UpstreamIdentity } from './match.ts';
import { cookieOptions, createSession, sessionCookieName } from './sessions.ts';
import { page } from './render.ts';
import { TEST_SIGN_IN } from './return-to.ts';
import { createPendingLogin, initiateLoginUrl, LAUNCH_COOKIE, launchCookieOptions, type LaunchTarget } from './launch.ts';
import { holdManagerSignIn, managerInteraction } from './manager-sign-in.ts';

export async function completeSignIn(
  reply: FastifyReply,
  deps: { db: Db; config: Config },
  input: { tenantId: string; matchAttribute: MatchAttribute; identity: UpstreamIdentity; returnTo: string | null; launch?: LaunchTarget | null },
) {
  const { db, config } = deps;
  const user = await matchUser(db, input.tenantId, input.matchAttribute, input.identity);
  if (input.returnTo === TEST_SIGN_IN) {
    await recordSsoEvent(db, { tenantId: input.tenantId, protocol: input.identity.protocol, outcome: 'test', reason: `test sign-in matched on ${input.matchAttribute}`, userId: user.id, subject: input.identity.subject }, reply.request);
    return page(reply, 200, 'sso/test-result', { title: 'Test sign-in', identity: input.identity, matchAttribute: input.matchAttribute, user });
  }
  const uid = managerInteraction(input.returnTo);
  // A manager's sign-in: no end-user session; the interaction records the outcome.
  if (uid) return holdManagerSignIn(reply, deps, { uid, user, identity: input.identity });
  await recordSignIn(db, user, input.identity.objectId);
  await recordSsoEvent(db, { tenantId: input.tenantId, protocol: input.identity.protocol, outcome: 'success', userId: user.id, subject: input.identity.subject }, reply.request);
  if (input.launch) {
    // No session yet: the app's own authorization request opens it when it consumes this.
    const handle = await createPendingLogin(db, { tenantId: input.tenantId, clientId: input.launch.clientId, userId: user.id, protocol: input.identity.protocol, amr: input.identity.amr });
    reply.setCookie(LAUNCH_COOKIE, handle, launchCookieOptions(config));
    return reply.redirect(initiateLoginUrl(config, input.launch), 303);
  }
  const s = await createSession(db, config, { tenantId: input.tenantId, userId: user.id, protocol: input.identity.protocol, amr: input.identity.amr, upstream: input.identity.logout });
  reply.setCookie(sessionCookieName(config), s.value, { ...cookieOptions(config), maxAge: s.maxAge });
  return reply.redirect(input.returnTo ?? '/my', 303);
}
