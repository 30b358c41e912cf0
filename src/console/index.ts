// PLACEHOLDER (owned by the console work).
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { OAuthService } from '../oauth/index.ts';
import type { ActivitySink } from '../activity/types.ts';
export const consolePlugin: FastifyPluginAsync<{ config: Config; db: Db; oauth: OAuthService; activity: ActivitySink }> = async () => {};
