// The manager console: a first-party OIDC client of our own provider plus server-
// rendered pages over the tenant's provisioning data. Everything is registered inside this
// encapsulated scope under /console, so its cookie, form parsing and hooks touch nothing else.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OAuthService } from '../oauth/index.ts';
import type { ActivitySink } from '../activity/types.ts';
import type { Changes } from '../accounts/events.ts';
import { registerAuth } from './auth.ts';
import { createOidcClient } from './oidc-client.ts';
import { registerOverview } from './pages-overview.ts';
import { registerDirectory } from './pages-directory.ts';
import { registerActivity } from './pages-activity.ts';
import { registerManagers } from './pages-managers.ts';
import { registerApiClients } from './pages-api-clients.ts';
import { registerSso } from './pages-sso.ts';
import { registerPassword } from './pages-password.ts';
import { registerConnect } from './pages-connect.ts';
import { sweepStaleConnections, trackConnections } from './connection-tracking.ts';
import { notFound, render } from './context.ts';
import { sweepConsoleSessions } from '../db/console-sessions.ts';
import { asStorageUnavailable } from '../db/storage-errors.ts';
import { sweepAudit } from '../db/audit.ts';
import { AUDIT_RETENTION_DAYS } from '../audit/events.ts';

const CSS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'console.css');

export interface ConsoleOptions {
  config: Config;
  db: Db;
  oauth: OAuthService;
  activity: ActivitySink;
  changes: Changes;
}

export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, opts) => {
  const { config, db, oauth } = opts;
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  }

  // The console's own stylesheet: no external assets (the CSP allows none), cacheable.
  const css = fs.readFileSync(CSS_FILE);
  app.get('/assets/console.css', async (_req, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  const oidc = createOidcClient(app, config);
  await registerAuth(app, { config, db, oidc });
  await registerOverview(app, { config, db, oauth, activity: opts.activity });
  await registerDirectory(app, { db, activity: opts.activity });
  await registerActivity(app, { db, activity: opts.activity });
  await registerManagers(app, { config, db });
  await registerApiClients(app, { config, db, changes: opts.changes });
  await registerSso(app, { config, db });
  await registerPassword(app, { config, db });
  await registerConnect(app, { config, db, changes: opts.changes });
  const untrack = trackConnections({ config, db, oauth, log: app.log });

  // Expired console sessions are refused on read; this only keeps the table small.
  const sweeper = setInterval(() => {
    sweepConsoleSessions(db).catch((err: unknown) => app.log.error({ err }, 'console session sweep failed'));
    sweepAudit(db, new Date(Date.now() - AUDIT_RETENTION_DAYS * 86_400_000)).catch((err: unknown) => app.log.error({ err }, 'audit sweep failed'));
    sweepStaleConnections({ config, db, oauth }).catch((err: unknown) => app.log.error({ err }, 'connection sweep failed'));
  }, 3_600_000);
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    untrack();
  });

  app.setNotFoundHandler(async (_req, reply) => notFound(reply));

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const storage = status === 500 ? asStorageUnavailable(err) : null;
    if (storage) {
      req.log.warn({ err }, `console request met a storage fault (${storage.reason})`);
      reply.code(503).header('retry-after', String(storage.retryAfterSeconds));
      return render(reply, 'error', { title: 'Temporarily unavailable', message: 'The console cannot reach its data right now. Try again in a minute.' });
    }
    if (status === 500) req.log.error({ err }, 'console error');
    reply.code(status);
    return render(reply, 'error', {
      title: status === 500 ? 'Something went wrong' : 'Request not accepted',
      message: status === 500 ? 'The console could not complete this request. Try again in a moment.' : 'The request was not understood.',
    });
  });
};
