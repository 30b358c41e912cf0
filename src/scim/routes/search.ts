// POST /.search at the root (RFC 7644 §3.4.3); per-type searches live with their resources.
import type { FastifyInstance } from 'fastify';
import { auth, op, type ScimServices } from './context.ts';
import { searchParams } from '../list-params.ts';
import { searchAll } from '../search-service.ts';

export async function searchRoutes(app: FastifyInstance, s: ScimServices) {
  app.post('/.search', async (req) => {
    op(req, { operation: 'search', resourceType: null });
    return searchAll(s.users, s.groups, auth(req).tenantId, searchParams(req.body, s.config.scim), s.config.scim.pageMaxBytes);
  });
}
