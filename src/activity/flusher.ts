// Writes the buffer to the database, one transaction per flush, one flush at a time. A failed
// write keeps its batch for the next flush until the database has been failing long enough that
// memory would grow without bound; then the oldest batch is dropped and counted. The SCIM path
// itself is never affected either way.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import { writeActivityBatch } from '../db/activity.ts';
import type { ActivityBuffer } from './buffer.ts';

export interface FlusherDeps {
  db: Db;
  log: FastifyBaseLogger;
  buffer: ActivityBuffer;
  /** Rows kept across failed flushes before a failed batch is dropped. */
  maxPending: number;
}

export class ActivityFlusher {
  private readonly deps: FlusherDeps;
  private inflight: Promise<void> | null = null;
  private earlyScheduled = false;
  /** Rows given up after repeated failures, since start. */
  dropped = 0;

  constructor(deps: FlusherDeps) {
    this.deps = deps;
  }

  /** Drains everything recorded before the call; concurrent callers share one write at a time. */
  flush(): Promise<void> {
    const run = (this.inflight ?? Promise.resolve()).then(() => this.writeOnce());
    const p = run.finally(() => {
      if (this.inflight === p) this.inflight = null;
    });
    this.inflight = p;
    return p;
  }

  /** A full buffer flushes on the next turn of the event loop, once however many entries arrive. */
  flushSoon(): void {
    if (this.earlyScheduled) return;
    this.earlyScheduled = true;
    setImmediate(() => {
      this.earlyScheduled = false;
      void this.flush();
    });
  }

  private async writeOnce(): Promise<void> {
    const { db, log, buffer, maxPending } = this.deps;
    if (buffer.empty) return;
    const batch = buffer.take();
    try {
      await writeActivityBatch(db, batch);
    } catch (err) {
      log.error({ err, rows: batch.rows.length }, 'activity flush failed');
      if (buffer.pending + batch.rows.length <= maxPending) {
        buffer.putBack(batch);
      } else {
        this.dropped += batch.rows.length;
        log.warn({ dropped: this.dropped }, 'activity rows dropped after repeated flush failures');
      }
    }
  }
}
