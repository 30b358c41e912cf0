// Confirmation before every destructive action. The action's own POST route shows this page
// unless the form carries confirm=yes, which only this page's form sends: the confirmation cannot
// be skipped by an old bookmark or a form elsewhere, needs no JavaScript, and its form carries the
// session's CSRF token like every other console form.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { render } from './context.ts';

export interface Confirmation {
  title: string;
  /** What is about to be destroyed, named as the manager knows it. */
  object: string;
  /** What happens next, in the manager's words. */
  consequence: string;
  /** The POST route that performs the action. */
  action: string;
  button: string;
  cancel: string;
  /** Form fields to send again with the confirmation (e.g. nothing secret, only ids and choices). */
  fields?: Record<string, string>;
}

export function isConfirmed(req: FastifyRequest): boolean {
  return (req.body as Record<string, unknown> | null)?.confirm === 'yes';
}

export function confirmPage(reply: FastifyReply, c: Confirmation & { nav?: Parameters<typeof render>[2]['nav'] }) {
  return render(reply, 'confirm', { ...c, title: c.title, nav: c.nav ?? '', fields: c.fields ?? {} });
}
