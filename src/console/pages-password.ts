// Change your own password: every manager, viewers included; forced after the first
// sign-in with an initial password (auth-gate.ts redirects here until it is done).
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { deleteOtherSessions } from '../db/console-sessions.ts';
import { principal, render, str } from './context.ts';
import { AccountRefusal, managerOps } from './ports.ts';
import { recordAudit } from '../audit/record.ts';
import { LoginThrottle, describeWait } from '../accounts/throttle.ts';
import { passwordProblem } from '../accounts/password-policy.ts';

export async function registerPassword(app: FastifyInstance, deps: { config: Config; db: Db }) {
  const ops = managerOps(deps);
  // Counters live in the database, so this instance shares them with the sign-in pages and other processes.
  const throttle = new LoginThrottle(deps.db, deps.config.login);

  app.get('/password', async (req, reply) => {
    const me = principal(req);
    const done = (req.query as Record<string, unknown>).done === '1';
    return render(reply, 'password', {
      title: 'Change password',
      nav: me.mustChangePassword ? '' : 'password',
      forced: me.mustChangePassword,
      policy: ops.policyHint,
      notice: done ? 'Your password was changed.' : null,
    });
  });

  app.post('/password', async (req, reply) => {
    const me = principal(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const current = str(body.current, 1000);
    const next = str(body.password, 1000);
    const confirm = str(body.confirm, 1000);
    const fail = (error: string) => {
      reply.code(400);
      return render(reply, 'password', { title: 'Change password', nav: me.mustChangePassword ? '' : 'password', forced: me.mustChangePassword, policy: ops.policyHint, error });
    };
    if (!current || !next) return fail('Enter your current password and a new one.');
    if (next !== confirm) return fail('The new password and its confirmation do not match.');
    if (next === current) return fail('Choose a new password that differs from the current one.');
    // The new password's rule first: from here on, a refusal can only mean a wrong current password.
    const problem = passwordProblem(next, { username: me.username, domain: me.tenantDomain });
    if (problem) return fail(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`);
    // Counted before the current password is checked (one atomic step), so a stolen session cannot
    // be used to guess the password behind it.
    const claim = await throttle.claimPasswordCheck(me.managerId, req.ip);
    if (!claim.ok) {
      reply.header('retry-after', String(claim.retryAfter));
      reply.code(429);
      return render(reply, 'password', { title: 'Change password', nav: me.mustChangePassword ? '' : 'password', forced: me.mustChangePassword, policy: ops.policyHint, error: `Too many wrong current passwords. Try again in ${describeWait(claim.retryAfter)}.` });
    }
    try {
      await ops.changeOwnPassword(me.tenantId, me.managerId, current, next);
    } catch (err) {
      if (err instanceof AccountRefusal) {
        await recordAudit(deps.db, { event: 'password.change_failed', tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'failure', target: me.username, detail: err.message }, req.log);
        return fail(err.message);
      }
      throw err;
    }
    await throttle.succeeded(claim);
    await recordAudit(deps.db, { event: 'password.changed', tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target: me.username, detail: me.mustChangePassword ? 'first sign-in' : null }, req.log);
    // Other browsers signed in with the old password must sign in again.
    await deleteOtherSessions(deps.db, me.managerId, me.sessionId);
    return reply.redirect(me.mustChangePassword ? '/console' : '/console/password?done=1', 303);
  });
}
