// Server-side pages with the shared layout (views/layout.ejs). Plain ejs, not reply.view, because
// two of the pages are rendered by oidc-provider inside its own Koa context (errors, logout).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { currentRequestId } from '../plugins/request-id.ts';

export const VIEWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');

export interface PageData {
  title: string;
  [k: string]: unknown;
}

export async function renderPage(view: string, data: PageData): Promise<string> {
  // Every page can show the request id a person quotes to support (error pages do).
  data = { requestId: currentRequestId(), ...data };
  const opts = { cache: process.env.NODE_ENV === 'production', root: VIEWS, views: [VIEWS] };
  const body = await ejs.renderFile(path.join(VIEWS, `${view}.ejs`), data, opts);
  return ejs.renderFile(path.join(VIEWS, 'layout.ejs'), { ...data, body }, opts);
}
