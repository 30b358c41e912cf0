// Single sign-on of provisioned users (SAML 2.0 and OpenID Connect through Entra) and the
// end-user pages. Its own encapsulated scope: its cookie, form parser and error page touch
// nothing else.
import type { FastifyPluginAsync } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { Refusal } from './refusals.ts';
import { page, refuse } from './render.ts';
import { MAX_RESPONSE_BYTES } from './saml-verify.ts';
import { samlRoutes } from './saml-routes.ts';
import { myRoutes } from './my-routes.ts';
import { oidcRoutes } from './oidc-routes.ts';
import { brokerRoutes } from './broker-routes.ts';
import { managerRoutes } from './manager-routes.ts';
import { sweepSessions } from './sessions.ts';
import { sweepSsoState } from './sweep.ts';
import { tenantFor } from './tenant-context.ts';
import { REFRESH_INTERVAL_MS, refreshMetadata } from './metadata-refresh.ts';

export interface SsoOptions {
  config: Config;
  db: Db;
}

export const ssoPlugin: FastifyPluginAsync<SsoOptions> = async (app, opts) => {
  const { config, db } = opts;
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  // base64 inflates the SAML response by 4/3.
  await app.register(fastifyFormbody, { bodyLimit: Math.ceil(MAX_RESPONSE_BYTES * 1.4) });

  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  await samlRoutes(app, { config, db });
  await oidcRoutes(app, { config, db });
  await myRoutes(app, { config, db });
  await brokerRoutes(app, { config, db, provider: () => app.oauth.provider });
  await managerRoutes(app, { config, db });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const id = (req.params as { tenantId?: string } | undefined)?.tenantId;
      const tenant = id ? await tenantFor(db, id).catch(() => null) : null;
      return refuse(reply, db, new Refusal('too_large'), { protocol: 'saml', tenantId: tenant?.id, tenantDomain: tenant?.domain });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'sso error');
    if (status !== 500) return refuse(reply, db, new Refusal('malformed', err.message), { protocol: 'sso' });
    return page(reply, 500, 'error', { title: 'Something went wrong', heading: 'Something went wrong', message: 'Sign-in could not be completed because of a problem on our side. Try again in a moment.', code: 'server_error' });
  });

  const sweeper = setInterval(() => {
    Promise.all([sweepSessions(db), sweepSsoState(db)]).catch((err: unknown) => app.log.error({ err }, 'sso sweep failed'));
  }, 3_600_000);
  sweeper.unref();
  const refresher = setInterval(() => {
    refreshMetadata(db, app.log).catch((err: unknown) => app.log.error({ err }, 'sso metadata refresh failed'));
  }, REFRESH_INTERVAL_MS);
  refresher.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    clearInterval(refresher);
  });
};
