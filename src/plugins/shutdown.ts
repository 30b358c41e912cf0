// Graceful shutdown. While draining, requests still reaching this process (on a kept-alive
// connection, or pipelined) are refused with 503 + Retry-After + Connection: close so the client
// retries them elsewhere or after the restart; Entra retries a SCIM 503 politely. Requests already
// running get until the shutdown time-out to finish; then their connections are cut, so a supervisor
// never waits on us (or kills us with unflushed activity rows) because of one slow client.
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ScimError } from '../scim/errors.ts';
import { SCIM_CONTENT_TYPE } from '../scim/media.ts';

// Long enough for a restart to finish, short enough that Entra does not back off for minutes.
const RETRY_AFTER_SECONDS = 5;
const SCIM_PATH = /^\/scim\/v2(?:[/?]|$)/i;

const plugin: FastifyPluginAsync = async (app) => {
  let draining = false;
  app.decorate('beginDrain', () => {
    draining = true;
  });
  // app.close() called without gracefulShutdown (tests, embedding) drains too.
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });

  app.addHook('onRequest', (req, reply, done) => {
    if (!draining) return done();
    reply.code(503).header('connection', 'close').header('retry-after', String(RETRY_AFTER_SECONDS));
    if (SCIM_PATH.test(req.url)) {
      reply.type(SCIM_CONTENT_TYPE).send(new ScimError(503, 'The service is restarting; retry this request shortly.').toJSON());
    } else {
      reply.type('text/plain; charset=utf-8').send('Service unavailable: the server is restarting. Retry shortly.\n');
    }
  });

  // A response finishing during the drain closes its connection, so the server can stop.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
};

export const drainOnClose = fp(plugin, { name: 'drain-on-close' });

export type ShutdownOutcome = 'clean' | 'forced';

/** Stops accepting work, lets in-flight requests finish for at most `timeoutSeconds`, then closes
 * the app (its onClose hooks flush the activity buffer and close the database). */
export async function gracefulShutdown(app: FastifyInstance, opts: { timeoutSeconds: number; log: FastifyBaseLogger }): Promise<ShutdownOutcome> {
  app.beginDrain();
  let outcome: ShutdownOutcome = 'clean';
  // A connection that was busy when close() began and is idle now is not closed by Node (only the
  // ones idle at that moment are); without this the oidc-provider routes, which bypass the onSend
  // hook above, could keep a kept-alive socket open until the deadline.
  const reaper = setInterval(() => app.server.closeIdleConnections(), 200);
  // A timer: it fires at the first turn of the event loop after the deadline, so work that holds
  // the loop without yielding (synchronous database calls in a long Bulk) postpones it.
  const deadline = setTimeout(() => {
    outcome = 'forced';
    opts.log.warn({ timeoutSeconds: opts.timeoutSeconds }, 'shutdown time-out reached: closing the connections of requests still running');
    app.server.closeAllConnections();
  }, opts.timeoutSeconds * 1000);
  try {
    await app.close();
  } finally {
    clearInterval(reaper);
    clearTimeout(deadline);
  }
  return outcome;
}

declare module 'fastify' {
  interface FastifyInstance {
    beginDrain(): void;
  }
}
