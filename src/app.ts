// buildApp(config): the whole product as a Fastify instance, without listening.
// server.ts (process shell) and the tests both start from here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyView from '@fastify/view';
import ejs from 'ejs';
import type { Config } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { healthRoutes } from './plugins/health.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { assetRoutes } from './plugins/assets.ts';
import { requestId, requestIdOf } from './plugins/request-id.ts';
import { logController, loggerOptions, logStartup, requestLogging } from './plugins/logging.ts';
import { timeoutOptions } from './plugins/timeouts.ts';
import { clientErrorHandler } from './plugins/client-errors.ts';
import { drainOnClose } from './plugins/shutdown.ts';
import { scimRateLimit } from './plugins/rate-limit.ts';
import { createOAuth, oauthRoutes } from './oauth/index.ts';
import scimPlugin from './scim/plugin.ts';
import { frameworkErrors } from './scim/framework-errors.ts';
import { consolePlugin } from './console/index.ts';
import { rootRoutes } from './console/root-routes.ts';
import { ssoPlugin } from './sso/plugin.ts';
import { createActivityRecorder } from './activity/recorder.ts';
import { noActivity } from './activity/types.ts';
import { createChanges, type Changes } from './accounts/events.ts';

/** TRUST_PROXY as a hop count: the nearest n addresses of X-Forwarded-For are proxies (as Fastify
 * does for a number, which its types do not accept). */
const hopsTrusted = (n: number) => (_addr: string, i: number) => i < n;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppHandle {
  app: FastifyInstance;
  db: Db;
}

export async function buildApp(config: Config, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const migrationsApplied = await migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl, { busyWaitMs: config.dbBusyWaitMs });

  const app = Fastify({
    logger: opts.logger === false ? false : await loggerOptions(config),
    // One line per request, written by requestLogging (Fastify's own are two, the second without the URL).
    logController: logController(),
    genReqId: requestIdOf,
    ...timeoutOptions(config),
    clientErrorHandler,
    // drainOnClose answers those requests itself: SCIM error body, Retry-After.
    return503OnClosing: false,
    // Only the configured proxies may set X-Forwarded-For: req.ip keys the sign-in throttles.
    trustProxy: typeof config.trustProxy === 'number' ? hopsTrusted(config.trustProxy) : config.trustProxy && [...config.trustProxy],
    // SCIM ids and resource paths arrive in any letter case (/scim/v2/users as /Users): matched case-insensitively.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    // Bad percent-encoding and over-long path parameters: SCIM error bodies under /scim/v2.
    frameworkErrors,
    bodyLimit: Math.max(config.scim.bulkMaxPayloadBytes * 2, 1048576),
  });

  app.decorate('config', config);
  app.decorate('db', db);
  logStartup(app.log, config, migrationsApplied);

  await app.register(fastifyView, {
    engine: { ejs },
    root: path.join(ROOT, 'views'),
    viewExt: 'ejs',
    defaultContext: { publicUrl: config.publicUrl },
  });
  await app.register(drainOnClose);
  await app.register(requestId);
  await app.register(requestLogging);
  // Before the SCIM scope: a root hook registered after a child scope does not reach it.
  await app.register(scimRateLimit, { config });
  await app.register(securityHeaders, { config });
  await app.register(assetRoutes);
  await app.register(rootRoutes);
  await app.register(healthRoutes, { db });

  const activity = createActivityRecorder({ db, config, log: app.log });
  // One change emitter per app: revocations made through this app reach this app's token caches.
  const changes = createChanges();
  app.decorate('changes', changes);
  const oauth = await createOAuth({ config, db, log: app.log, changes });
  await app.register(oauthRoutes, { config, db, oauth });
  await app.register(scimPlugin, { prefix: '/scim/v2', config, db, resolveToken: oauth.resolveToken, activity: config.activityRecording ? activity : noActivity });
  await app.register(consolePlugin, { prefix: '/console', config, db, oauth, activity, changes });
  await app.register(ssoPlugin, { config, db });

  app.addHook('onClose', async () => {
    await activity.close();
    await oauth.close();
    await db.$disconnect();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    changes: Changes;
  }
}
