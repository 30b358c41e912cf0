// Overview (issue 4 §2): the tenant, its live connections with their 24-hour numbers, the 7-day
// hourly chart, and Disconnect.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OAuthService } from '../oauth/index.ts';
import { findActiveConnection, hourlyTotals, listActiveConnections, listApiClientUsage, managerNames, tenantCounts } from '../db/console-reads.ts';
import { hourOf } from '../activity/classify.ts';
import { fillHours, renderActivityChart } from './chart.ts';
import { notFound, principal, render, str } from './context.ts';

const HOUR = 3_600_000;

export async function registerOverview(app: FastifyInstance, deps: { config: Config; db: Db; oauth: OAuthService }) {
  const { config, db, oauth } = deps;

  app.get('/', async (req, reply) => {
    const me = principal(req);
    const now = new Date();
    const thisHour = hourOf(now).getTime();
    const since24h = new Date(thisHour - 23 * HOUR);
    const [connections, hours, managers, apiClients, counts] = await Promise.all([
      listActiveConnections(db, me.tenantId, since24h),
      hourlyTotals(db, me.tenantId, new Date(thisHour - (7 * 24 - 1) * HOUR)),
      managerNames(db, me.tenantId),
      listApiClientUsage(db, me.tenantId, since24h),
      tenantCounts(db, me.tenantId),
    ]);
    const clients = new Map(apiClients.map((c) => [c.id, c.name]));
    const buckets = fillHours(hours, now, 7 * 24);
    const chart = renderActivityChart(buckets, { title: 'SCIM requests per hour, last 7 days' });
    const totals = buckets.reduce((a, b) => ({ success: a.success + b.success, failure: a.failure + b.failure }), { success: 0, failure: 0 });
    const view = connections.map((c) => ({
      ...c,
      clientName: c.clientId === config.entra.clientId ? 'Microsoft Entra ID' : (clients.get(c.clientId) ?? c.clientId),
      kind: clients.has(c.clientId) ? 'Client credentials' : 'Authorization code',
      authorizedByName: c.authorizedBy ? (managers.get(c.authorizedBy) ?? c.authorizedBy) : null,
    }));
    const apiView = apiClients.map((c) => ({ ...c, createdByName: c.createdBy ? (managers.get(c.createdBy) ?? c.createdBy) : null }));
    const q = req.query as Record<string, unknown>;
    return render(reply, 'overview', {
      title: 'Overview',
      nav: 'overview',
      connections: view,
      apiClients: apiView,
      chart,
      totals,
      counts,
      notice: q.done === 'disconnected' ? 'The connection was disconnected. Its tokens no longer work.' : null,
    });
  });

  app.post('/connections/:grantId/disconnect', async (req, reply) => {
    const me = principal(req);
    const grantId = str((req.params as Record<string, unknown>).grantId, 500);
    // Tenant-scoped lookup first: a grant id of another tenant is "not found", never revoked.
    const c = await findActiveConnection(db, me.tenantId, grantId);
    if (!c) return notFound(reply, 'connection');
    await oauth.revokeGrant(c.grantId);
    req.log.info({ tenantId: me.tenantId, managerId: me.managerId, grantId: c.grantId }, 'console: connection disconnected');
    return reply.redirect('/console?done=disconnected', 303);
  });
}
