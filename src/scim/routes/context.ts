// What the SCIM routes share: the authenticated tenant on the request, the services, and the
// per-request facts the activity log needs (operation, resource type and id).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UsersService } from '../users-service.ts';
import type { GroupsService } from '../groups-service.ts';
import type { BulkService } from '../bulk-service.ts';
import type { Config } from '../../config.ts';
import type { ChangeSummary } from '../../activity/changes.ts';

export interface ScimAuth {
  tenantId: string;
  grantId: string | null;
  clientId: string;
}

export interface ScimOp {
  operation: 'create' | 'replace' | 'update' | 'delete' | 'read' | 'list' | 'search' | 'bulk' | 'discovery';
  resourceType: string | null;
  resourceId?: string | null;
  /** What a successful PATCH/PUT changed (services compute it only while activity is recorded). */
  changes?: ChangeSummary;
}

export interface ScimServices {
  config: Config;
  baseUrl: string;
  users: UsersService;
  groups: GroupsService;
  bulk: BulkService;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimAuth: ScimAuth | null;
    scimOp: ScimOp | null;
    scimError: { scimType?: string; detail: string } | null;
    scimStart: number;
    scimRawLength: number;
  }
}

export function auth(req: FastifyRequest): ScimAuth {
  // The plugin's onRequest hook rejects every request without a valid token before routing.
  return req.scimAuth as ScimAuth;
}

export function op(req: FastifyRequest, o: ScimOp): void {
  req.scimOp = o;
}

/** Hands a service's change summary to the activity record of this request. */
export function noteChanges(req: FastifyRequest, r: { changes?: ChangeSummary }): void {
  if (r.changes && req.scimOp) req.scimOp.changes = r.changes;
}

export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Representation of one resource: ETag always, Location on create (RFC 7644 §3.3, §3.14). */
export function sendSingle(reply: FastifyReply, s: { resource: unknown; etag: string; location: string }, status = 200) {
  reply.code(status).header('etag', s.etag);
  if (status === 201) reply.header('location', s.location);
  return reply.send(s.resource);
}

export type Query = Record<string, unknown>;
