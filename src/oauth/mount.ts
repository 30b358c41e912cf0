// oidc-provider under /oauth, the path every client and the discovery documents name. The provider is a Koa app that reads request
// bodies itself, so its routes live in their own encapsulated scope whose only content-type
// parser leaves the body unread, and the reply is hijacked: Fastify neither parses nor answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { IncomingMessage } from 'node:http';
import { pageSecurityHeaders } from '../plugins/security-headers.ts';
import type { Config } from '../config.ts';
import { asStorageUnavailable, type StorageUnavailableError } from '../db/storage-errors.ts';
import { CLIENT_IP } from './client-auth-throttle.ts';

const PREFIX = '/oauth';

export async function mountProvider(app: FastifyInstance, deps: { config: Config; provider: Provider }): Promise<void> {
  // oidc-provider answers every unexpected error as 500 server_error and reports it only through
  // this event. A locked, full or read-only database is passing: answer it as RFC 6749's
  // temporarily_unavailable, 503 with Retry-After, so Entra retries the token request.
  const storageFaults = new WeakMap<object, StorageUnavailableError>();
  deps.provider.on('server_error', (ctx: object, err: unknown) => {
    const fault = asStorageUnavailable(err);
    if (fault) storageFaults.set(ctx, fault);
  });
  deps.provider.use(async (ctx, next) => {
    await next();
    const fault = storageFaults.get(ctx);
    if (!fault || ctx.status < 500) return;
    ctx.status = 503;
    ctx.set('Retry-After', String(fault.retryAfterSeconds));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'temporarily_unavailable', error_description: 'the service cannot reach its data right now; retry later' };
  });
  // The provider is itself a Koa app: without an 'error' listener Koa prints every failed or
  // aborted request (a client that hung up, a time-out) as a multi-line stack on stderr. Log it as
  // one line instead; server errors are handled above.
  deps.provider.on('error', (err: NodeJS.ErrnoException & { status?: number }) => {
    app.log.warn({ code: err.code, status: err.status, message: err.message }, 'oauth request ended with an error');
  });
  const callback = deps.provider.callback();
  const headers = pageSecurityHeaders(deps.config);
  const publicHost = new URL(deps.config.publicUrl).host;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null));

  function handOver(req: FastifyRequest, reply: FastifyReply, path: string) {
    reply.hijack();
    const raw = req.raw as IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? '/';
    const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
    // The provider derives its mount path from originalUrl minus url (lib/helpers/oidc_context.js).
    raw.originalUrl = `${PREFIX}${path}${query}`;
    raw.url = `${path}${query}`;
    // Endpoint URLs in discovery and redirects are built from the request's host: pin it to
    // PUBLIC_URL so a forged Host / X-Forwarded-Host header cannot change what we advertise.
    raw.headers.host = publicHost;
    delete raw.headers['x-forwarded-host'];
    // The throttles key on the client address as Fastify resolved it (TRUST_PROXY), not Koa's.
    (raw as IncomingMessage & { [CLIENT_IP]?: string })[CLIENT_IP] = req.ip;
    // Provider pages (errors, logout) are HTML; JSON endpoints are unaffected by these headers.
    for (const [k, v] of Object.entries(headers)) reply.raw.setHeader(k, v);
    callback(raw, reply.raw);
  }

  const methods = ['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH'] as const;
  app.route({
    method: [...methods],
    url: `${PREFIX}/*`,
    handler: (req, reply) => {
      const rawPath = (req.raw.url ?? '/').split('?')[0];
      handOver(req, reply, rawPath.slice(PREFIX.length) || '/');
    },
  });

  // RFC 8414 §3: metadata of issuer https://host/oauth lives at /.well-known/oauth-authorization-server/oauth.
  app.get('/.well-known/oauth-authorization-server/oauth', (req, reply) => {
    handOver(req, reply, '/.well-known/openid-configuration');
  });
}
