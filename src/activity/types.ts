// What the SCIM edge reports for each request worth recording (issue 4: every change and every
// failure). The recorder batches these off the request path.
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
