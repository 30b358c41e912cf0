// Reading a step's request: the interaction bound to this browser, and the form it posted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfValid } from '../csrf.ts';
import type { Details, InteractionContext } from './context.ts';
import { expiredPage, forgedFormPage } from './pages.ts';

/** The interaction bound to this browser, or null after answering with the "expired" page. */
export async function loadDetails(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
  try {
    return (await ctx.provider.interactionDetails(req.raw, reply.raw)) as Details;
  } catch (err) {
    // Only "no such interaction for this browser" is the visitor's problem; anything else is ours.
    if ((err as { name?: string }).name !== 'SessionNotFound') throw err;
    await expiredPage(reply);
    return null;
  }
}

/** Refuses forms that do not carry this interaction's token, or that come from another origin. */
export async function refuseForgery(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply, d: Details): Promise<boolean> {
  const origin = req.headers.origin;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if ((origin && origin !== 'null' && origin !== ctx.publicOrigin) || !csrfValid(ctx.csrfKey, d.uid, body._csrf)) {
    await forgedFormPage(reply);
    return true;
  }
  return false;
}

/** The interaction for a POSTed step form, or null once the request has been answered. */
export async function loadFormDetails(ctx: InteractionContext, req: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
  const d = await loadDetails(ctx, req, reply);
  if (!d || (await refuseForgery(ctx, req, reply, d))) return null;
  return d;
}

/** A form field as a string of at most `max` characters ('' when absent or not a string). */
export function field(body: unknown, name: string, max: number): string {
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
}
