// PLACEHOLDER (owned by the console work): batched activity writer.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { noActivity, type ActivitySink } from './types.ts';
export function createActivityRecorder(_deps: { db: Db; config: Config; log: FastifyBaseLogger }): ActivitySink {
  return noActivity;
}
