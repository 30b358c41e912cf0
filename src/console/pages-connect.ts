// "Connect Entra": every way Microsoft Entra ID can reach this tenant, with the exact values to
// paste and what Entra's Test Connection should show, and the long-lived secret tokens that
// non-gallery Entra apps need (their provisioning blade has only Tenant URL and Secret Token).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { MAX_ACTIVE_TOKENS, MAX_EXPIRY_DAYS, SecretTokenError, createSecretToken, getSecretToken, listSecretTokens, parseExpiryDays } from '../db/secret-tokens.ts';
import { revokeSecretToken } from '../accounts/revocations.ts';
import type { Changes } from '../accounts/events.ts';
import { recordAudit } from '../audit/record.ts';
import { notFound, principal, render, str } from './context.ts';
import { confirmPage, isConfirmed } from './confirm.ts';

export const EXPIRY_CHOICES: { value: string; label: string }[] = [
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year' },
  { value: String(MAX_EXPIRY_DAYS), label: '2 years' },
  { value: 'never', label: 'No expiry' },
];

const NOTICES: Record<string, string> = {
  revoked: 'Secret token revoked. Entra apps using it can no longer provision this tenant.',
};

export async function registerConnect(app: FastifyInstance, deps: { config: Config; db: Db; changes: Changes }) {
  const { config, db } = deps;

  async function page(req: FastifyRequest, reply: FastifyReply, extra: { error?: string; status?: number; created?: { name: string; value: string; expiresAt: Date | null }; form?: { name: string; expiry: string } } = {}) {
    const me = principal(req);
    const tokens = await listSecretTokens(db, me.tenantId);
    if (extra.status) reply.code(extra.status);
    return render(reply, 'connect', {
      title: 'Connect Entra',
      nav: 'connect',
      scimBase: `${config.publicUrl}/scim/v2`,
      tokenEndpoint: `${config.publicUrl}/oauth/token`,
      tokens,
      activeCount: tokens.filter((t) => t.active).length,
      maxTokens: MAX_ACTIVE_TOKENS,
      expiryChoices: EXPIRY_CHOICES,
      created: extra.created ?? null,
      form: extra.form ?? { name: '', expiry: '365' },
      notice: NOTICES[str((req.query as Record<string, unknown>).done, 20)] ?? null,
      error: extra.error ?? null,
    });
  }

  app.get('/connect', async (req, reply) => page(req, reply));

  app.post('/connect/tokens', async (req, reply) => {
    const me = principal(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = { name: str(body.name, 100).trim(), expiry: str(body.expiry, 10) };
    if (!form.name) return page(req, reply, { error: 'Enter a name for the token, for example "Entra provisioning".', status: 400, form });
    try {
      const r = await createSecretToken(db, { tenantId: me.tenantId, name: form.name, expiresInDays: parseExpiryDays(form.expiry), createdBy: me.username });
      await recordAudit(db, { event: 'secret_token.created', tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target: r.token.name, detail: r.token.expiresAt ? `expires ${r.token.expiresAt.toISOString().slice(0, 10)}` : 'no expiry' }, req.log);
      // Shown in this response only (no-store, never in a URL); only its hash is kept.
      return page(req, reply, { created: { name: r.token.name, value: r.value, expiresAt: r.token.expiresAt } });
    } catch (err) {
      if (err instanceof SecretTokenError) return page(req, reply, { error: `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`, status: 400, form });
      throw err;
    }
  });

  app.post('/connect/tokens/:id/revoke', async (req, reply) => {
    const me = principal(req);
    const id = str((req.params as Record<string, unknown>).id, 100);
    const tok = await getSecretToken(db, me.tenantId, id);
    if (!tok || !tok.active) return notFound(reply, 'secret token');
    if (!isConfirmed(req)) {
      return confirmPage(reply, {
        title: 'Revoke secret token',
        nav: 'connect',
        object: `Secret token "${tok.name}" (ending …${tok.hint})`,
        consequence: `Every Entra app that uses this token stops provisioning to ${me.tenantDomain} at its next request, until someone pastes a new token into its Secret Token field.`,
        action: `/console/connect/tokens/${encodeURIComponent(tok.id)}/revoke`,
        button: 'Revoke token',
        cancel: '/console/connect',
      });
    }
    await revokeSecretToken({ db, changes: deps.changes }, me.tenantId, tok.id);
    await recordAudit(db, { event: 'secret_token.revoked', tenantId: me.tenantId, tenant: me.tenantDomain, actor: me.username, ip: req.ip, outcome: 'success', target: tok.name }, req.log);
    return reply.redirect('/console/connect?done=revoked', 303);
  });
}
