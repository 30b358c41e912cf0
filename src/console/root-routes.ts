// The bare host: people who type the server's address land in the console (its sign-in page when
// signed out) instead of a JSON 404, and browsers asking for /favicon.ico get the SVG icon.
import type { FastifyPluginAsync } from 'fastify';

export const rootRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (_req, reply) => reply.redirect('/console', 302));
  app.get('/favicon.ico', async (_req, reply) => reply.header('cache-control', 'public, max-age=86400').redirect('/assets/favicon.svg', 301));
};
