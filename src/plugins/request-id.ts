// X-Request-Id on every response: the caller's id when it looks like one (a balancer or Entra
// correlating its own logs), a random UUID otherwise. A per-process counter would repeat after every
// restart and across instances, so an id quoted from an error page could match several requests.
import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export const REQUEST_ID_HEADER = 'x-request-id';

// Short and free of spaces, quotes and control characters: it is echoed in a header, written to
// the logs and shown on pages, so anything else (log injection, header splitting) is replaced.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const kRequestId = Symbol('requestId');
type Tagged = IncomingMessage & { [kRequestId]?: string };

/** Fastify's genReqId: the id chosen when the request reached the server (see tagRequests). */
export function requestIdOf(raw: IncomingMessage): string {
  const tagged = raw as Tagged;
  if (tagged[kRequestId] === undefined) {
    const incoming = raw.headers[REQUEST_ID_HEADER];
    tagged[kRequestId] = typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
  }
  return tagged[kRequestId];
}

/** Runs before Fastify's own request listener, so even responses Fastify writes before any hook
 * (malformed URLs) and the hijacked oidc-provider routes carry the header. */
function tagRequests(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader(REQUEST_ID_HEADER, requestIdOf(req));
  });
}

const context = new AsyncLocalStorage<{ requestId: string }>();

/** The id of the request whose handling is running, for code that has no request object at hand
 * (pages rendered inside oidc-provider's own context). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

const plugin: FastifyPluginAsync = async (app) => {
  tagRequests(app.server);
  app.addHook('onRequest', (req, reply, done) => {
    // app.inject() bypasses the server's request listener.
    if (!reply.raw.hasHeader(REQUEST_ID_HEADER)) reply.raw.setHeader(REQUEST_ID_HEADER, req.id);
    // reply.view() merges reply.locals into every template's data (@fastify/view).
    const locals = (reply as { locals?: Record<string, unknown> | null }).locals;
    if (locals) locals.requestId = req.id;
    // Everything the rest of the request's hooks and handler start runs inside this context.
    context.run({ requestId: req.id }, done);
  });
};

export const requestId = fp(plugin, { name: 'request-id', dependencies: ['@fastify/view'] });
