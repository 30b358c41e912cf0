// Errors Fastify raises before routing (RFC 7644 §3.12 asks for SCIM error bodies on every SCIM
// response): bad percent-encoding in the path (FST_ERR_BAD_URL, 400) and a path parameter longer
// than the router's maxParamLength (FST_ERR_MAX_PARAM_LENGTH, 414). Under /scim/v2 they answer a
// SCIM error body as application/scim+json; elsewhere Fastify's own JSON body, unchanged.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError } from './errors.ts';
import { SCIM_CONTENT_TYPE } from './media.ts';

const SCIM_PREFIX = /^\/scim\/v2(?:[/?#]|$)/i;

const DETAIL: Record<string, string> = {
  FST_ERR_BAD_URL: 'The request path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment of the request is too long',
};

export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (err.statusCode ?? 400);
  if (SCIM_PREFIX.test(req.raw.url ?? '')) {
    const body = new ScimError(status, (Object.hasOwn(DETAIL, err.code) ? DETAIL[err.code] : undefined) ?? 'The request cannot be routed').toJSON();
    reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(JSON.stringify(body));
    return;
  }
  reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: status === 414 ? 'URI Too Long' : 'Bad Request', code: err.code, message: err.message, statusCode: status }));
}
