import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../db/client.ts';

// /healthz: the process answers. /readyz: the database answers too (load balancers take us out
// of rotation while it does not).
export const healthRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await db.$queryRawUnsafe('SELECT 1');
      return { status: 'ok', database: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
};
