// /Users (RFC 7644 §3.3–§3.6): HTTP only; semantics live in users-service.ts.
import type { FastifyInstance } from 'fastify';
import { auth, header, noteChanges, op, sendSingle, type Query, type ScimServices } from './context.ts';
import { listParams, projectionFrom, searchParams } from '../list-params.ts';
import { etagMatches } from '../etag.ts';

export async function userRoutes(app: FastifyInstance, s: ScimServices) {
  app.get('/Users', async (req) => {
    op(req, { operation: 'list', resourceType: 'User' });
    return s.users.list(auth(req).tenantId, listParams(req.query as Query, s.config.scim));
  });

  app.post('/Users/.search', async (req) => {
    op(req, { operation: 'search', resourceType: 'User' });
    return s.users.list(auth(req).tenantId, searchParams(req.body, s.config.scim));
  });

  app.get<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
    op(req, { operation: 'read', resourceType: 'User', resourceId: req.params.id });
    const one = await s.users.get(auth(req).tenantId, req.params.id, projectionFrom(req.query as Query));
    const inm = header(req, 'if-none-match');
    if (inm && etagMatches(inm, one.version)) return reply.code(304).header('etag', one.etag).send();
    return sendSingle(reply, one);
  });

  app.post('/Users', async (req, reply) => {
    op(req, { operation: 'create', resourceType: 'User' });
    const one = await s.users.create(auth(req).tenantId, req.body, projectionFrom(req.query as Query));
    req.scimOp!.resourceId = one.id;
    return sendSingle(reply, one, 201);
  });

  app.put<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
    op(req, { operation: 'replace', resourceType: 'User', resourceId: req.params.id });
    const one = await s.users.replace(auth(req).tenantId, req.params.id, req.body, header(req, 'if-match'), projectionFrom(req.query as Query));
    noteChanges(req, one);
    return sendSingle(reply, one);
  });

  // Users answer 200 with the resource: Entra compares it with what it sent (RFC 7644 §3.5.2 allows
  // 200 with the resource or 204).
  app.patch<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
    op(req, { operation: 'update', resourceType: 'User', resourceId: req.params.id });
    const one = await s.users.patch(auth(req).tenantId, req.params.id, req.body, header(req, 'if-match'), projectionFrom(req.query as Query));
    noteChanges(req, one);
    return sendSingle(reply, one);
  });

  app.delete<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
    op(req, { operation: 'delete', resourceType: 'User', resourceId: req.params.id });
    await s.users.remove(auth(req).tenantId, req.params.id, header(req, 'if-match'));
    return reply.code(204).send();
  });
}
