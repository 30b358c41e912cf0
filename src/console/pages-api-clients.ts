// API clients for Entra's client-credentials model (new gallery apps and Microsoft's validator get a
// client id, a secret and the token endpoint, and call it with grant_type=client_credentials): admins
// create a client for the tenant, see each secret once, keep up to two secrets for rotation,
// revoke either, delete the client.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { notFound, principal, render, str } from './context.ts';
import { AccountRefusal, apiClientOps } from './ports.ts';
import type { Changes } from '../accounts/events.ts';
import { MAX_ACTIVE_SECRETS } from '../db/api-clients.ts';
import { confirmPage, isConfirmed } from './confirm.ts';
import { recordAudit } from '../audit/record.ts';
import type { AuditEventName } from '../audit/events.ts';

const NOTICES: Record<string, string> = {
  revoked: 'Secret revoked. Tokens can no longer be requested with it.',
  deleted: 'API client deleted. Its tokens no longer work.',
};


export async function registerApiClients(app: FastifyInstance, deps: { config: Config; db: Db; changes: Changes }) {
  const { config, db } = deps;
  const ops = apiClientOps(deps);

  const audit = (req: FastifyRequest, event: AuditEventName, target: string) => {
    const me = principal(req);
    return recordAudit(db, { event, tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target }, req.log);
  };

  async function findClient(tenantId: string, id: string) {
    return (await ops.list(tenantId)).find((c) => c.id === id) ?? null;
  }

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
      await audit(req, 'api_client.created', `${name} (${r.clientId})`);
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
      await audit(req, 'api_client.secret_added', `${r.clientName} (${id})`);
      return page(req, reply, { created: { clientId: id, clientName: r.clientName, secret: r.secret, isNewClient: false } });
    });
  });

  app.post('/api-clients/:id/secrets/:secretId/revoke', async (req, reply) => {
    const me = principal(req);
    const p = req.params as Record<string, unknown>;
    const id = str(p.id, 200);
    const secretId = str(p.secretId, 200);
    const c = await findClient(me.tenantId, id);
    const secret = c?.secrets.find((x) => x.id === secretId && !x.revokedAt);
    if (!c || !secret) return notFound(reply, 'API client secret');
    if (!isConfirmed(req)) {
      const others = c.secrets.filter((x) => !x.revokedAt && x.id !== secretId).length;
      return confirmPage(reply, {
        title: 'Revoke client secret',
        nav: 'api-clients',
        object: `Secret ending …${secret.hint} of API client "${c.name}"`,
        consequence: others
          ? `No new tokens can be requested with this secret. The client's other active secret keeps working.`
          : `This is the client's only active secret: Entra cannot get new tokens for ${me.tenantDomain} with "${c.name}" until you add a secret and paste it into Entra.`,
        action: `/console/api-clients/${encodeURIComponent(id)}/secrets/${encodeURIComponent(secretId)}/revoke`,
        button: 'Revoke secret',
        cancel: '/console/api-clients',
      });
    }
    return guard(req, reply, async () => {
      await ops.revokeSecret(me.tenantId, id, secretId);
      await audit(req, 'api_client.secret_revoked', `…${secret.hint} of ${c.name} (${id})`);
      return reply.redirect('/console/api-clients?done=revoked', 303);
    });
  });

  app.post('/api-clients/:id/delete', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const c = await findClient(me.tenantId, id);
    if (!c) return notFound(reply, 'API client');
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Delete API client',
        nav: 'api-clients',
        object: `API client "${c.name}" (${c.id})`,
        consequence: `Its secrets and every token it obtained stop working at once: Entra will stop provisioning to ${me.tenantDomain} through this client. This cannot be undone.`,
        action: `/console/api-clients/${encodeURIComponent(id)}/delete`,
        button: 'Delete client',
        cancel: '/console/api-clients',
      });
    }
    return guard(req, reply, async () => {
      await ops.remove(me.tenantId, id);
      await audit(req, 'api_client.deleted', `${c.name} (${id})`);
      return reply.redirect('/console/api-clients?done=deleted', 303);
    });
  });
}
