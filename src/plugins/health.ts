import type { FastifyPluginAsync } from 'fastify';
import { checkStorage, type Db } from '../db/client.ts';

// A readiness check answers well within a load balancer's probe time-out even while another
// process holds the database lock: the probe waits at most this long for it.
const PROBE_WAIT_MS = 1000;

// /healthz: the process answers (never touches the database, so a lock or a full disk cannot make
// a supervisor restart a process that is fine). /readyz: the database can be read and written
// now, and writes have not been failing lately; 503 with the reason otherwise, so a load balancer
// takes the instance out of rotation and puts it back once writes succeed again.
export const healthRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const storage = await checkStorage(db, PROBE_WAIT_MS);
    if (storage.ok) return { status: 'ok', database: 'ok' };
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ status: 'unavailable', database: storage.reason ?? 'unreachable', ...(storage.since ? { since: storage.since } : {}) });
  });
};
