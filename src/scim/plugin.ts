// PLACEHOLDER (owned by the SCIM work).
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { TokenResolution } from '../oauth/index.ts';
import type { ActivitySink } from '../activity/types.ts';

export interface ScimPluginOptions {
  config: Config;
  db: Db;
  resolveToken(token: string): Promise<TokenResolution>;
  activity: ActivitySink;
}
const scimPlugin: FastifyPluginAsync<ScimPluginOptions> = async () => {};
export default scimPlugin;
