// What the activity log keeps: every request that changes data and every failure.
// Reads that succeed only bump the hourly counters.
import type { ActivityEntry } from './types.ts';

const WRITE_OPERATIONS = new Set(['create', 'replace', 'update', 'delete', 'bulk']);
const READ_OPERATIONS = new Set(['read', 'list', 'search', 'auth', 'discovery']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isWrite(e: Pick<ActivityEntry, 'operation' | 'method'>): boolean {
  if (WRITE_OPERATIONS.has(e.operation)) return true;
  if (READ_OPERATIONS.has(e.operation)) return false;
  // Unknown operation name: fall back to the HTTP method (POST /.search is named 'search' above).
  return WRITE_METHODS.has(e.method.toUpperCase());
}

export function isFailure(e: Pick<ActivityEntry, 'status'>): boolean {
  return e.status >= 400;
}

/** Start of the UTC hour containing `at`. */
export function hourOf(at: Date): Date {
  const ms = at.getTime();
  return new Date(ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000));
}
