// The /scim/v2 scope (RFC 7644 §3): media types, bearer auth → tenant, SCIM error rendering,
// SCIM 404/405 for unknown routes, one activity record per authenticated request.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { TokenResolution } from '../oauth/index.ts';
import type { ActivitySink } from '../activity/types.ts';
import { asStorageUnavailable } from '../db/storage-errors.ts';
import { createUsersRepo } from '../db/scim-users.ts';
import { createGroupsRepo } from '../db/scim-groups.ts';
import { InvalidSyntaxError, NotFoundError, PayloadTooLargeError, ScimError, UnauthorizedError } from './errors.ts';
import { MethodNotAllowedError, SCIM_CONTENT_TYPE, UnsupportedMediaTypeError, parseJsonBody } from './media.ts';
import { createUsersService } from './users-service.ts';
import { createGroupsService } from './groups-service.ts';
import { createBulkService } from './bulk-service.ts';
import type { ScimServices } from './routes/context.ts';
import { userRoutes } from './routes/users.ts';
import { groupRoutes } from './routes/groups.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { searchRoutes } from './routes/search.ts';
import { bulkRoutes } from './routes/bulk.ts';

export interface ScimPluginOptions {
  config: Config;
  db: Db;
  resolveToken(token: string): Promise<TokenResolution>;
  activity: ActivitySink;
}

const UNAUTHORIZED: Record<string, string> = {
  missing: 'A bearer token is required',
  unknown: 'The access token is invalid',
  expired: 'The access token has expired',
  revoked: 'The access token has been revoked',
  tenant_disabled: 'The tenant of this access token is disabled',
  insufficient_scope: 'The access token does not grant SCIM access',
};

// Which methods each endpoint answers, for 405 vs 404 on unmatched requests (paths lower-cased,
// relative to the base).
const ENDPOINTS: [RegExp, string[]][] = [
  [/^\/(users|groups)$/, ['GET', 'POST']],
  [/^\/((users|groups)\/)?\.search$/, ['POST']],
  [/^\/(users|groups)\/[^/]+$/, ['GET', 'PUT', 'PATCH', 'DELETE']],
  [/^\/bulk$/, ['POST']],
  [/^\/(serviceproviderconfig|schemas|resourcetypes)(\/[^/]+)?$/, ['GET']],
];

function toScimError(err: FastifyError | Error, req: FastifyRequest): ScimError {
  if (err instanceof ScimError) return err;
  const code = (err as FastifyError).code;
  const status = (err as FastifyError).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLargeError('The request body is too large');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new UnsupportedMediaTypeError(String(req.headers['content-type'] ?? ''));
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new InvalidSyntaxError('The request body is not valid JSON');
  if (typeof status === 'number' && status >= 400 && status < 500) return new ScimError(status, err.message);
  // A locked, full or read-only database is the environment's fault and passes: Entra retries a
  // 503 after Retry-After, while a 500 counts as a failed provisioning operation.
  const storage = asStorageUnavailable(err);
  if (storage) {
    req.log.warn({ err }, `SCIM request met a storage fault (${storage.reason})`);
    return new ScimError(503, 'The service cannot store data right now; retry later', undefined, { 'retry-after': String(storage.retryAfterSeconds) });
  }
  // Anything else is our bug, not the client's: a query the database layer rejects
  // (PrismaClientValidationError) included, since every query is built from validated input.
  req.log.error({ err }, 'SCIM request failed');
  return new ScimError(500, 'Internal server error');
}

const scimPlugin: FastifyPluginAsync<ScimPluginOptions> = async (app, opts) => {
  const { config, db, resolveToken, activity } = opts;
  const baseUrl = `${config.publicUrl}/scim/v2`;
  const pageMaxBytes = config.scim.pageMaxBytes;
  // What a PATCH/PUT changed is worked out only when the activity log will keep it.
  const trackChanges = config.activityRecording;
  const userRepo = createUsersRepo(db);
  const groupRepo = createGroupsRepo(db);
  const users = createUsersService({ repo: userRepo, baseUrl, pageMaxBytes, trackChanges });
  const groups = createGroupsService({ repo: groupRepo, baseUrl, pageMaxBytes, trackChanges });
  // A Bulk request is recorded as one activity row without per-operation changes, so its services
  // skip the change summary (the same repositories: one count cache per tenant).
  const bulk = createBulkService({
    users: createUsersService({ repo: userRepo, baseUrl, pageMaxBytes, trackChanges: false }),
    groups: createGroupsService({ repo: groupRepo, baseUrl, pageMaxBytes, trackChanges: false }),
    config,
  });
  const services: ScimServices = { config, baseUrl, users, groups, bulk };

  app.decorateRequest('scimAuth', null);
  app.decorateRequest('scimOp', null);
  app.decorateRequest('scimError', null);
  app.decorateRequest('scimStart', 0);
  app.decorateRequest('scimRawLength', 0);

  // Entra sends application/scim+json or application/json, with or without charset; anything else
  // carrying a body is 415. A body without any Content-Type is tried as JSON (lenient).
  app.removeAllContentTypeParsers();
  const jsonParser = (req: FastifyRequest, body: string, done: (err: Error | null, v?: unknown) => void) => {
    req.scimRawLength = Buffer.byteLength(body);
    try {
      done(null, parseJsonBody(body));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, jsonParser);
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const type = req.headers['content-type'];
    if (type === undefined || String(body).trim() === '') return jsonParser(req, String(body), done);
    done(new UnsupportedMediaTypeError(String(type).split(';')[0]));
  });

  app.addHook('onRequest', async (req) => {
    req.scimStart = performance.now();
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^\s*bearer\s+([^\s]+)\s*$/i.exec(h) : null;
    if (!m) throw new UnauthorizedError(UNAUTHORIZED.missing, 'invalid_request');
    const r = await resolveToken(m[1]);
    if (!r.ok) {
      throw r.reason === 'insufficient_scope'
        ? new UnauthorizedError(UNAUTHORIZED.insufficient_scope, 'insufficient_scope')
        : new UnauthorizedError(UNAUTHORIZED[r.reason] ?? UNAUTHORIZED.unknown);
    }
    req.scimAuth = { tenantId: r.tenantId, grantId: r.grantId, clientId: r.clientId };
  });

  // Every response under the base is SCIM JSON, errors and empty bodies included (RFC 7644 §8.1).
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-type', SCIM_CONTENT_TYPE);
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const a = req.scimAuth;
    if (!a) return; // unauthenticated: no tenant to attribute it to
    const o = req.scimOp;
    activity.record({
      tenantId: a.tenantId,
      at: new Date(),
      grantId: a.grantId,
      clientId: a.clientId,
      method: req.method,
      operation: o?.operation ?? 'read',
      resourceType: o?.resourceType ?? null,
      resourceId: o?.resourceId ?? null,
      status: reply.statusCode,
      scimType: req.scimError?.scimType ?? null,
      detail: req.scimError?.detail ?? null,
      durationMs: Math.round(performance.now() - req.scimStart),
      changes: o?.changes ?? null,
    });
  });

  app.setErrorHandler((err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const e = toScimError(err, req);
    req.scimError = { ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.message };
    return reply.code(e.status).headers(e.headers).send(e.toJSON());
  });

  app.setNotFoundHandler(async (req) => {
    const rel = (req.url.split('?')[0] ?? '').replace(/^\/scim\/v2/i, '').replace(/\/+$/, '').toLowerCase();
    const hit = ENDPOINTS.find(([re]) => re.test(rel));
    if (hit) throw new MethodNotAllowedError(req.method, hit[1]);
    throw new NotFoundError(`No SCIM endpoint at ${req.url.split('?')[0]}`);
  });

  await app.register(async (scope) => {
    await userRoutes(scope, services);
    await groupRoutes(scope, services);
    await discoveryRoutes(scope, services);
    await searchRoutes(scope, services);
    await bulkRoutes(scope, services);
  });
};

export default scimPlugin;
