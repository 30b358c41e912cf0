// POST /Bulk (RFC 7644 §3.7). Limits are enforced in bulk-service.ts with 413.
import type { FastifyInstance } from 'fastify';
import { auth, op, type ScimServices } from './context.ts';

export async function bulkRoutes(app: FastifyInstance, s: ScimServices) {
  app.post('/Bulk', async (req) => {
    op(req, { operation: 'bulk', resourceType: 'Bulk' });
    return s.bulk.run(auth(req).tenantId, req.body, req.scimRawLength);
  });
}
