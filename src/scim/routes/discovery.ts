// Discovery (RFC 7644 §4): ServiceProviderConfig, Schemas, ResourceTypes. Behind the same bearer
// auth as everything else. Entra reads /Schemas when an admin saves or opens the provisioning
// settings of a gallery app; Microsoft's validator checks all three.
import type { FastifyInstance } from 'fastify';
import { op, type ScimServices } from './context.ts';
import { NotFoundError } from '../errors.ts';
import { LIST_URN } from '../media.ts';
import { serviceProviderConfig, schemas, resourceTypes } from '../resources/discovery.ts';

function listOf(items: object[]) {
  return { schemas: [LIST_URN], totalResults: items.length, itemsPerPage: items.length, startIndex: 1, Resources: items };
}

function byId(items: object[], id: string, what: string): object {
  const want = id.toLowerCase();
  const hit = items.find((x) => {
    const o = x as { id?: string; name?: string };
    return o.id?.toLowerCase() === want || o.name?.toLowerCase() === want;
  });
  if (!hit) throw new NotFoundError(`${what} ${id} not found`);
  return hit;
}

export async function discoveryRoutes(app: FastifyInstance, s: ScimServices) {
  const { scim } = s.config;
  const spc = serviceProviderConfig({
    baseUrl: s.baseUrl,
    maxResults: scim.maxResults,
    bulkMaxOperations: scim.bulkMaxOperations,
    bulkMaxPayloadBytes: scim.bulkMaxPayloadBytes,
  });
  const schemaList = schemas(s.baseUrl) as object[];
  const typeList = resourceTypes(s.baseUrl) as object[];

  app.get('/ServiceProviderConfig', async (req) => {
    op(req, { operation: 'discovery', resourceType: 'ServiceProviderConfig' });
    return spc;
  });
  app.get('/Schemas', async (req) => {
    op(req, { operation: 'discovery', resourceType: 'Schema' });
    return listOf(schemaList);
  });
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (req) => {
    op(req, { operation: 'discovery', resourceType: 'Schema', resourceId: req.params.id });
    return byId(schemaList, req.params.id, 'Schema');
  });
  app.get('/ResourceTypes', async (req) => {
    op(req, { operation: 'discovery', resourceType: 'ResourceType' });
    return listOf(typeList);
  });
  app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (req) => {
    op(req, { operation: 'discovery', resourceType: 'ResourceType', resourceId: req.params.id });
    return byId(typeList, req.params.id, 'ResourceType');
  });
}
