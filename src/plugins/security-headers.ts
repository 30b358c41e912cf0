// Security headers on every response. Pages get a CSP with no external source at all
// and cannot be framed; JSON/SCIM responses get only the headers that cannot change how a client
// reads them.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

/** Headers for HTML pages. form-action lists the registered Entra redirect origins because
 * browsers apply form-action to the redirect chain that follows the consent form's POST. */
export function pageSecurityHeaders(config: Config): Record<string, string> {
  const formTargets = new Set<string>(["'self'"]);
  for (const r of config.entra.redirectUris) {
    try {
      formTargets.add(new URL(r).origin);
    } catch {
      /* validated in config.ts */
    }
  }
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "script-src 'self'",
    "connect-src 'self'",
    `form-action ${[...formTargets].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    ...baseHeaders(config),
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

function baseHeaders(config: Config): Record<string, string> {
  const h: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (config.publicUrl.startsWith('https:')) h['strict-transport-security'] = 'max-age=31536000';
  return h;
}

const plugin: FastifyPluginAsync<{ config: Config }> = async (app, opts) => {
  const page = pageSecurityHeaders(opts.config);
  const base = baseHeaders(opts.config);
  app.addHook('onSend', async (_req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    const headers = type.startsWith('text/html') ? page : base;
    for (const [k, v] of Object.entries(headers)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
};

export const securityHeaders = fp(plugin, { name: 'security-headers' });
