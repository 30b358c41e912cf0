// Managers: everyone reads the list (who can act on this tenant); admins add with an initial
// password that must be changed, change role, disable/enable and remove (after a confirmation
// page). The role gate in auth-gate.ts refuses every POST here to viewers. Last-admin protection lives
// in src/accounts; its refusal is shown as a page error. Every change is an audit event.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { principal, render, str, notFound } from './context.ts';
import { AccountRefusal, managerOps } from './ports.ts';
import { confirmPage, isConfirmed } from './confirm.ts';
import { recordAudit } from '../audit/record.ts';
import type { AuditEventName } from '../audit/events.ts';

const NOTICES: Record<string, string> = {
  added: 'Manager added. Give them the initial password; they must choose a new one when they first sign in.',
  role: 'Role changed.',
  disabled: 'Manager disabled. Their console sessions have ended.',
  enabled: 'Manager enabled.',
  removed: 'Manager removed.',
};

export async function registerManagers(app: FastifyInstance, deps: { config: Config; db: Db }) {
  const ops = managerOps(deps);

  async function audit(req: FastifyRequest, event: AuditEventName, target: string, detail?: string) {
    const me = principal(req);
    await recordAudit(deps.db, { event, tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target, detail }, req.log);
  }

  async function nameOf(tenantId: string, id: string): Promise<string | null> {
    return (await ops.list(tenantId)).find((m) => m.id === id)?.username ?? null;
  }

  async function page(req: FastifyRequest, reply: FastifyReply, extra: { error?: string; form?: Record<string, string>; status?: number } = {}) {
    const me = principal(req);
    const managers = await ops.list(me.tenantId);
    const done = str((req.query as Record<string, unknown>).done, 20);
    if (extra.status) reply.code(extra.status);
    return render(reply, 'managers', {
      title: 'Managers',
      nav: 'managers',
      managers,
      adminCount: managers.filter((m) => m.role === 'admin' && m.enabled).length,
      form: extra.form ?? { username: '', role: 'viewer' },
      notice: NOTICES[done] ?? null,
      error: extra.error ?? null,
    });
  }

  async function attempt(req: FastifyRequest, reply: FastifyReply, fn: () => Promise<unknown>, done: string, form?: Record<string, string>, after?: () => Promise<void>) {
    try {
      await fn();
      await after?.();
    } catch (err) {
      if (err instanceof AccountRefusal) {
        if (err.kind === 'not_found') return notFound(reply, 'manager');
        return page(req, reply, { error: err.message, form, status: 400 });
      }
      throw err;
    }
    return reply.redirect(`/console/managers?done=${done}`, 303);
  }

  app.get('/managers', async (req, reply) => page(req, reply));

  app.post('/managers', async (req, reply) => {
    const me = principal(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = str(body.username, 200).trim();
    const role = body.role === 'admin' ? 'admin' : 'viewer';
    const password = str(body.password, 1000);
    const form = { username, role };
    if (!username) return page(req, reply, { error: 'Enter a username.', form, status: 400 });
    return attempt(req, reply, () => ops.create(me.tenantId, { username, password, role, createdBy: me.managerId }), 'added', form, () => audit(req, 'manager.added', username, `role ${role}`));
  });

  app.post('/managers/:id/role', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const role = (req.body as Record<string, unknown>)?.role === 'admin' ? 'admin' : 'viewer';
    const name = (await nameOf(me.tenantId, id)) ?? id;
    return attempt(req, reply, () => ops.setRole(me.tenantId, id, role), 'role', undefined, () => audit(req, 'manager.role_changed', name, `role ${role}`));
  });

  app.post('/managers/:id/enabled', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const enabled = (req.body as Record<string, unknown>)?.enabled === 'true';
    const name = (await nameOf(me.tenantId, id)) ?? id;
    return attempt(req, reply, () => ops.setEnabled(me.tenantId, id, enabled), enabled ? 'enabled' : 'disabled', undefined, () =>
      audit(req, enabled ? 'manager.enabled' : 'manager.disabled', name),
    );
  });

  app.post('/managers/:id/remove', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const name = await nameOf(me.tenantId, id);
    if (!name) return notFound(reply, 'manager');
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Remove manager',
        nav: 'managers',
        object: `Manager "${name}"${id === me.managerId ? ' (your own account)' : ''}`,
        consequence: `${name} can no longer sign in to the console of ${me.tenantDomain} and their open sessions end at once. Entra connections they authorized keep working.`,
        action: `/console/managers/${encodeURIComponent(id)}/remove`,
        button: 'Remove manager',
        cancel: '/console/managers',
      });
    }
    return attempt(req, reply, () => ops.remove(me.tenantId, id), 'removed', undefined, () => audit(req, 'manager.removed', name));
  });
}
