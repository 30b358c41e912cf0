// PLACEHOLDER (owned by the OAuth/pages work): /assets/* served from public/.
import type { FastifyPluginAsync } from 'fastify';
export const assetRoutes: FastifyPluginAsync = async () => {};
