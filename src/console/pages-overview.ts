// Overview: the tenant, its live connections of every credential kind with their 24-hour numbers
// and health, the 7-day chart, and Disconnect (after a confirmation page).
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OAuthService } from '../oauth/index.ts';
import type { ActivitySink } from '../activity/types.ts';
import { findActiveConnection, hourlyTotals, tenantCounts } from '../db/console-reads.ts';
import { describeConnections } from './connections-view.ts';
import { confirmPage, isConfirmed } from './confirm.ts';
import { recordAudit } from '../audit/record.ts';
import { hourOf } from '../activity/classify.ts';
import { fillDays, fillHours, renderActivityChart } from './chart.ts';
import { notFound, principal, render, str, when } from './context.ts';

const HOUR = 3_600_000;

export async function registerOverview(app: FastifyInstance, deps: { config: Config; db: Db; oauth: OAuthService; activity: ActivitySink }) {
  const { config, db, oauth, activity } = deps;

  app.get('/', async (req, reply) => {
    const me = principal(req);
    await activity.flush();
    const now = new Date();
    const thisHour = hourOf(now).getTime();
    const [connections, hours, counts] = await Promise.all([
      describeConnections(db, config, me.tenantId, now),
      hourlyTotals(db, me.tenantId, new Date(thisHour - (7 * 24 - 1) * HOUR)),
      tenantCounts(db, me.tenantId),
    ]);
    const days = fillDays(hours, now, 7);
    const last24 = fillHours(hours, now, 24);
    const chart = renderActivityChart(days, { title: 'SCIM requests per day, last 7 days', unit: 'day', id: 'chart-days' });
    const chart24 = renderActivityChart(last24, { title: 'SCIM requests per hour, last 24 hours', id: 'chart-hours' });
    const sum = (bs: typeof days) => bs.reduce((a, b) => ({ success: a.success + b.success, failure: a.failure + b.failure }), { success: 0, failure: 0 });
    const totals = sum(days);
    const totals24 = sum(last24);
    const q = req.query as Record<string, unknown>;
    return render(reply, 'overview', {
      title: 'Overview',
      nav: 'overview',
      connections,
      chart,
      chart24,
      totals,
      totals24,
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
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Disconnect Entra',
        nav: 'overview',
        object: `Microsoft Entra ID, authorized ${when(c.authorizedAt)}${c.authorizedBy ? ` by ${c.authorizedBy}` : ''}`,
        consequence: `Its tokens are revoked at once: Entra will stop provisioning to ${me.tenantDomain} until someone authorizes again.`,
        action: `/console/connections/${encodeURIComponent(c.grantId)}/disconnect`,
        button: 'Disconnect',
        cancel: '/console',
      });
    }
    await oauth.revokeGrant(c.grantId);
    await recordAudit(db, { event: 'connection.disconnected', tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target: `Microsoft Entra ID (authorized ${when(c.authorizedAt)})` }, req.log);
    return reply.redirect('/console?done=disconnected', 303);
  });
}
