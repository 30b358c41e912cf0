// /assets/* served from public/ (no external assets anywhere: the pages' CSP allows none). A fixed allow-list read
// once at start, so no request path ever reaches the file system.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const PUBLIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
};

function collect(dir: string, base = ''): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of collect(path.join(dir, e.name), rel)) out.set(k, v);
    else if (TYPES[path.extname(e.name)]) out.set(rel, { body: fs.readFileSync(path.join(dir, e.name)), type: TYPES[path.extname(e.name)] });
  }
  return out;
}

export const assetRoutes: FastifyPluginAsync = async (app) => {
  const files = collect(PUBLIC);
  app.get('/assets/*', async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    const f = files.get(name);
    if (!f) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply.type(f.type).header('cache-control', 'public, max-age=3600').send(f.body);
  });
};
