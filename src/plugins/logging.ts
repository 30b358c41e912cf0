// Logs: JSON lines for machines (default) or pino-pretty for a developer's terminal, one line per
// request (Fastify's own logging writes two, the second without the URL), and what start-up used.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogController, type FastifyBaseLogger, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { sqlitePath } from '../db/client.ts';
import { requestIdOf } from './request-id.ts';

export async function loggerOptions(config: Config): Promise<NonNullable<FastifyServerOptions['logger']>> {
  const options = {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      // Query strings can carry authorization codes and state; log the path only.
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: pathOf(req.url), remoteAddress: req.ip }),
    },
  };
  if (config.logFormat !== 'pretty') return options;
  const { default: pretty } = await import('pino-pretty');
  // Synchronous, in this thread: the last lines before an exit are never lost.
  return { ...options, stream: pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) };
}

function pathOf(url: string | undefined): string {
  const u = String(url ?? '');
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

/** DATABASE_URL as it may appear in a log: the resolved file, or the server URL without secrets. */
export function databaseForLog(databaseUrl: string): string {
  const file = sqlitePath(databaseUrl);
  if (file !== null) return `file:${file}`;
  try {
    const u = new URL(databaseUrl);
    u.password = '';
    for (const name of [...u.searchParams.keys()]) if (/pass|secret|key|token/i.test(name)) u.searchParams.delete(name);
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

export function logStartup(log: FastifyBaseLogger, config: Config, migrationsApplied: readonly string[]): void {
  log.info(
    { database: databaseForLog(config.databaseUrl), migrationsApplied },
    migrationsApplied.length > 0 ? `database ready, ${migrationsApplied.length} migration(s) applied` : 'database ready, schema up to date',
  );
}

/** Fastify's own per-request lines off (requestLogging writes the one line); its error logs stay. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(): void {}
  override routeNotFound(): void {}
}

export function logController(): LogController {
  return new OneLinePerRequest();
}

const kRoute = Symbol('route');
type Routed = IncomingMessage & { [kRoute]?: string };

/** One line per request, written when the response ends or the connection drops. Hooked on the
 * server rather than onResponse: onResponse never runs for the hijacked oidc-provider routes. */
const plugin: FastifyPluginAsync = async (app) => {
  const log = app.log;
  const enabled = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  if (enabled && !enabled.call(log, 'error')) return;
  app.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    // Read now: the oidc-provider mount rewrites req.url to its own mount-relative path.
    const url = pathOf(req.url);
    res.once('close', () => {
      const ms = Math.round((performance.now() - start) * 10) / 10;
      const route = (req as Routed)[kRoute];
      const aborted = !res.writableFinished;
      const status = res.headersSent ? res.statusCode : null;
      const line = { reqId: requestIdOf(req), method: req.method, url, ...(route ? { route } : {}), status, responseTime: ms, ...(aborted ? { aborted } : {}) };
      const msg = `${req.method} ${url} ${status ?? '-'} ${ms} ms${aborted ? ' (connection closed before the response ended)' : ''}`;
      if (status !== null && status >= 500) log.error(line, msg);
      else log.info(line, msg);
    });
  });
  app.addHook('onRequest', (req, _reply, done) => {
    (req.raw as Routed)[kRoute] = req.routeOptions.url;
    done();
  });
};

export const requestLogging = fp(plugin, { name: 'request-logging' });
