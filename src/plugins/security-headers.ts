// PLACEHOLDER (owned by the OAuth/pages work): security headers for every response.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
export const securityHeaders: FastifyPluginAsync<{ config: Config }> = fp(async () => {});
