// API clients for Entra's client-credentials model (issue 4 §7; entra-protocol.md §1.8): admins
// create a client for the tenant, see each secret once, keep up to two secrets for rotation,
// revoke either, delete the client.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { notFound, principal, render, str } from './context.ts';
import { AccountRefusal, apiClientOps } from './ports.ts';
import { MAX_ACTIVE_SECRETS } from '../db/api-clients.ts';

const NOTICES: Record<string, string> = {
  revoked: 'Secret revoked. Tokens can no longer be requested with it.',
  deleted: 'API client deleted. Its tokens no longer work.',
};


export async function registerApiClients(app: FastifyInstance, deps: { config: Config; db: Db }) {
  const { config } = deps;
  const ops = apiClientOps(deps);

  async function page(
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; status?: number; created?: { clientId: string; clientName: string; secret: string; isNewClient: boolean } } = {},
  ) {
    const me = principal(req);
    const clients = await ops.list(me.tenantId);
    const done = str((req.query as Record<string, unknown>).done, 20);
    if (extra.status) reply.code(extra.status);
    return render(reply, 'api-clients', {
      title: 'API clients',
      nav: 'api-clients',
      clients,
      maxSecrets: MAX_ACTIVE_SECRETS,
      tokenEndpoint: `${config.publicUrl}/oauth/token`,
      scimBase: `${config.publicUrl}/scim/v2`,
      created: extra.created ?? null,
      notice: NOTICES[done] ?? null,
      error: extra.error ?? null,
    });
  }

  async function guard(req: FastifyRequest, reply: FastifyReply, fn: () => Promise<FastifyReply | unknown>) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AccountRefusal) {
        if (err.kind === 'not_found') return notFound(reply, 'API client');
        return page(req, reply, { error: err.message, status: 400 });
      }
      throw err;
    }
  }

  app.get('/api-clients', async (req, reply) => page(req, reply));

  app.post('/api-clients', async (req, reply) => {
    const me = principal(req);
    const name = str((req.body as Record<string, unknown>)?.name, 100).trim();
    if (!name) return page(req, reply, { error: 'Enter a name for the client, for example "Entra provisioning".', status: 400 });
    return guard(req, reply, async () => {
      const r = await ops.create(me.tenantId, name, me.managerId);
      // The secret is rendered in this response only (never stored in clear, never redirected
      // through a URL); no-store keeps it out of caches.
      return page(req, reply, { created: { clientId: r.clientId, clientName: name, secret: r.secret, isNewClient: true } });
    });
  });

  app.post('/api-clients/:id/secrets', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    return guard(req, reply, async () => {
      const r = await ops.addSecret(me.tenantId, id);
      return page(req, reply, { created: { clientId: id, clientName: r.clientName, secret: r.secret, isNewClient: false } });
    });
  });

  app.post('/api-clients/:id/secrets/:secretId/revoke', async (req, reply) => {
    const me = principal(req);
    const p = req.params as Record<string, unknown>;
    return guard(req, reply, async () => {
      await ops.revokeSecret(me.tenantId, str(p.id, 200), str(p.secretId, 200));
      return reply.redirect('/console/api-clients?done=revoked', 303);
    });
  });

  app.post('/api-clients/:id/delete', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    return guard(req, reply, async () => {
      await ops.remove(me.tenantId, id);
      return reply.redirect('/console/api-clients?done=deleted', 303);
    });
  });
}
