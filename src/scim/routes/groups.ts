// /Groups (RFC 7644 §3.3–§3.6): HTTP only; semantics live in groups-service.ts.
import type { FastifyInstance } from 'fastify';
import { auth, header, noteChanges, op, sendSingle, type Query, type ScimServices } from './context.ts';
import { listParams, projectionFrom, searchParams } from '../list-params.ts';
import { etagMatches } from '../etag.ts';

export async function groupRoutes(app: FastifyInstance, s: ScimServices) {
  app.get('/Groups', async (req) => {
    op(req, { operation: 'list', resourceType: 'Group' });
    return s.groups.list(auth(req).tenantId, listParams(req.query as Query, s.config.scim));
  });

  app.post('/Groups/.search', async (req) => {
    op(req, { operation: 'search', resourceType: 'Group' });
    return s.groups.list(auth(req).tenantId, searchParams(req.body, s.config.scim));
  });

  app.get<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    op(req, { operation: 'read', resourceType: 'Group', resourceId: req.params.id });
    const one = await s.groups.get(auth(req).tenantId, req.params.id, projectionFrom(req.query as Query));
    const inm = header(req, 'if-none-match');
    if (inm && etagMatches(inm, one.version)) return reply.code(304).header('etag', one.etag).send();
    return sendSingle(reply, one);
  });

  app.post('/Groups', async (req, reply) => {
    op(req, { operation: 'create', resourceType: 'Group' });
    const one = await s.groups.create(auth(req).tenantId, req.body, projectionFrom(req.query as Query));
    req.scimOp!.resourceId = one.id;
    return sendSingle(reply, one, 201);
  });

  app.put<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    op(req, { operation: 'replace', resourceType: 'Group', resourceId: req.params.id });
    const one = await s.groups.replace(auth(req).tenantId, req.params.id, req.body, header(req, 'if-match'), projectionFrom(req.query as Query));
    noteChanges(req, one);
    return sendSingle(reply, one);
  });

  // Groups answer 204 (Entra accepts 200 or 204 and prefers 204 for groups, whose member lists can
  // be large; RFC 7644 §3.5.2) unless the client asks for a
  // representation with attributes/excludedAttributes.
  app.patch<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    op(req, { operation: 'update', resourceType: 'Group', resourceId: req.params.id });
    const p = projectionFrom(req.query as Query);
    const wantBody = !!(p.attributes || p.excludedAttributes);
    const res = await s.groups.patch(auth(req).tenantId, req.params.id, req.body, header(req, 'if-match'), wantBody ? p : null);
    noteChanges(req, res);
    if ('resource' in res) return sendSingle(reply, res);
    return reply.code(204).header('etag', res.etag).send();
  });

  app.delete<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    op(req, { operation: 'delete', resourceType: 'Group', resourceId: req.params.id });
    await s.groups.remove(auth(req).tenantId, req.params.id, header(req, 'if-match'));
    return reply.code(204).send();
  });
}
