// Users and groups as Entra provisioned them (the console's Users and Groups pages): search, filter
// and paging in the database; detail pages with every stored attribute, memberships and
// provisioning history.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.ts';
import type { ActivitySink } from '../activity/types.ts';
import { readableActivity } from './pages-activity.ts';
import { getGroup, getUser, listActivity, listGroupMembers, listGroups, listUsers } from '../db/console-reads.ts';
import { link, notFound, pageParam, principal, render, str } from './context.ts';
import { attributeRows } from './attributes.ts';
import { confirmPage, isConfirmed } from './confirm.ts';
import { signInSummaries, userSignIns } from '../sso/sign-in-summary.ts';
import { signOutEverywhere } from '../sso/admin-sign-out.ts';

const PAGE_SIZE = 25;

export async function registerDirectory(app: FastifyInstance, deps: { db: Db; activity: ActivitySink }) {
  const { db, activity } = deps;

  app.get('/users', async (req, reply) => {
    const me = principal(req);
    const q = req.query as Record<string, unknown>;
    const search = str(q.q, 200).trim();
    const status = q.status === 'active' || q.status === 'inactive' ? q.status : '';
    const page = await listUsers(db, me.tenantId, {
      search,
      active: status === '' ? undefined : status === 'active',
      page: pageParam(q.page),
      pageSize: PAGE_SIZE,
    });
    const signIns = await signInSummaries(db, me.tenantId, page.items.map((u) => u.id));
    return render(reply, 'users', {
      title: 'Users',
      nav: 'users',
      page: { ...page, items: page.items.map((u) => ({ ...u, signIn: signIns.get(u.id)! })) },
      search,
      status,
      pageLink: (n: number) => link('/console/users', { q: search, status, page: n }),
    });
  });

  app.get('/users/:id', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const user = await getUser(db, me.tenantId, id);
    if (!user) return notFound(reply, 'user');
    const q = req.query as Record<string, unknown>;
    await activity.flush();
    const raw = await listActivity(db, me.tenantId, { resourceType: 'User', resourceId: user.id, page: pageParam(q.page), pageSize: PAGE_SIZE });
    const history = { ...raw, items: await readableActivity(db, me.tenantId, raw.items) };
    return render(reply, 'user', {
      title: String(user.data.userName ?? 'User'),
      nav: 'users',
      notice: q.done === 'signedout' ? 'The user was signed out everywhere.' : null,
      user,
      signIns: await userSignIns(db, me.tenantId, user.id),
      rows: attributeRows(user.data),
      history,
      pageLink: (n: number) => link(`/console/users/${encodeURIComponent(user.id)}`, { page: n }),
    });
  });

  // Ends every single sign-on session of the user (admins; the auth hook refuses viewers' POSTs).
  app.post('/users/:id/sign-out', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const user = await getUser(db, me.tenantId, id);
    if (!user) return notFound(reply, 'user');
    const userName = String(user.data.userName ?? user.id);
    const back = `/console/users/${encodeURIComponent(user.id)}`;
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Sign out everywhere',
        object: userName,
        consequence: 'Every single sign-on session of this user ends at its next request, in every browser. They can sign in again with Microsoft Entra ID while Entra still assigns them.',
        action: `${back}/sign-out`,
        button: 'Sign out everywhere',
        cancel: back,
        nav: 'users',
      });
    }
    await signOutEverywhere(db, req, me, { id: user.id, userName });
    return reply.redirect(`${back}?done=signedout`, 303);
  });

  app.get('/groups', async (req, reply) => {
    const me = principal(req);
    const q = req.query as Record<string, unknown>;
    const search = str(q.q, 200).trim();
    const page = await listGroups(db, me.tenantId, { search, page: pageParam(q.page), pageSize: PAGE_SIZE });
    return render(reply, 'groups', {
      title: 'Groups',
      nav: 'groups',
      page,
      search,
      pageLink: (n: number) => link('/console/groups', { q: search, page: n }),
    });
  });

  app.get('/groups/:id', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 200);
    const group = await getGroup(db, me.tenantId, id);
    if (!group) return notFound(reply, 'group');
    const q = req.query as Record<string, unknown>;
    const members = await listGroupMembers(db, me.tenantId, group.id, { page: pageParam(q.page), pageSize: PAGE_SIZE });
    const { members: _omit, ...rest } = group.data;
    return render(reply, 'group', {
      title: group.displayName || 'Group',
      nav: 'groups',
      group,
      rows: attributeRows(rest),
      members,
      pageLink: (n: number) => link(`/console/groups/${encodeURIComponent(group.id)}`, { page: n }),
    });
  });
}
