// Failures inside the interaction pages are answered as pages, never as JSON: the visitor is a
// person in a browser halfway through signing in.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asStorageUnavailable } from '../../db/storage-errors.ts';
import { page } from './pages.ts';

export async function interactionError(err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  const storage = status === 500 ? asStorageUnavailable(err) : null;
  if (storage) {
    req.log.warn({ err }, `interaction met a storage fault (${storage.reason})`);
    reply.header('retry-after', String(storage.retryAfterSeconds));
    return page(reply, 503, 'error', {
      title: 'Sign-in cannot continue',
      heading: 'Temporarily unavailable',
      message: 'Sign-in cannot reach its data right now. Wait a minute, then go back and try again.',
      code: 'temporarily_unavailable',
    });
  }
  if (status === 500) req.log.error({ err }, 'interaction error');
  return page(reply, status, 'error', {
    title: 'Sign-in cannot continue',
    heading: status === 500 ? 'Something went wrong' : 'Request not accepted',
    message: status === 500 ? 'Sign-in could not be completed because of a problem on our side. Try again in a moment.' : 'The form could not be read. Go back, reload the page and try again.',
    code: status === 500 ? 'server_error' : 'bad_request',
  });
}
