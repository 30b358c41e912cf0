// The SCIM edge reports EVERY request here (one cheap in-memory call from onResponse). The
// recorder decides what to persist: a row for each change and each failure, hourly
// counters for all requests, and the connection's last-seen time, all batched off the request path.
import type { ChangeSummary } from './changes.ts';

export interface ActivityEntry {
  tenantId: string;
  at: Date;
  grantId?: string | null;
  clientId?: string | null;
  method: string;
  operation: string; // create | replace | update | delete | list | read | search | bulk | auth
  resourceType?: string | null; // User | Group | Bulk | ...
  resourceId?: string | null;
  status: number;
  scimType?: string | null;
  detail?: string | null;
  durationMs: number;
  /** What a successful PATCH/PUT changed (bounded, secrets masked). */
  changes?: ChangeSummary | null;
}

export interface ActivitySink {
  record(entry: ActivityEntry): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const noActivity: ActivitySink = {
  record() {},
  async flush() {},
  async close() {},
};

/** The recorder's full surface: the sink SCIM uses, plus retention and stats for the console/tests. */
export interface ActivityRecorder extends ActivitySink {
  /** Deletes Activity and ActivityHourly rows older than config.activityRetentionDays before `now`. */
  sweep(now?: Date): Promise<{ activity: number; hourly: number }>;
  stats(): { pending: number; dropped: number };
}
