// Console authentication: the gate every console route passes (session, form token, role) and the
// sign-in routes that create the session.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OidcClient } from './oidc-client.ts';
import { consoleGate } from './auth-gate.ts';
import { registerSignIn } from './sign-in.ts';

export async function registerAuth(app: FastifyInstance, deps: { config: Config; db: Db; oidc: OidcClient }) {
  app.decorateRequest('consolePrincipal', null);
  app.addHook('preHandler', consoleGate(deps));
  registerSignIn(app, deps);
}
