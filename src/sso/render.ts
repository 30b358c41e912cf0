// The refusal page: why, what to ask the admin, a reference code; never a session.
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.ts';
import { renderPage } from '../oauth/render.ts';
import { recordSsoEvent } from './events.ts';
import { REFUSALS, Refusal } from './refusals.ts';

export async function page(reply: FastifyReply, status: number, view: string, data: Record<string, unknown> & { title: string }) {
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store');
  return reply.send(await renderPage(view, data));
}

export async function refuse(
  reply: FastifyReply,
  db: Db,
  r: Refusal,
  ctx: { tenantId?: string; tenantDomain?: string; protocol: string; subject?: string | null },
) {
  const words = REFUSALS[r.code];
  if (ctx.tenantId) {
    await recordSsoEvent(db, { tenantId: ctx.tenantId, protocol: ctx.protocol, outcome: 'refused', reason: r.detail ? `${r.code}: ${r.detail}` : r.code, subject: ctx.subject ?? null }, reply.request);
  }
  reply.log.info({ refusal: r.code, detail: r.detail, tenantId: ctx.tenantId }, 'sso sign-in refused');
  return page(reply, words.status, 'sso/refused', {
    title: words.heading,
    heading: words.heading,
    message: words.message,
    ask: words.ask,
    code: r.code,
    tenantDomain: ctx.tenantDomain ?? null,
    idpMessage: r.code === 'idp_error' ? r.detail : null,
  });
}
