// Storage faults that are the environment's, not the request's: the database is locked by another
// process for too long, the disk (or the page budget) is full, the file is read-only, or the
// operating system failed an I/O. Callers answer 503 with Retry-After for these (Entra retries a
// 503 with back-off; a 500 counts against the provisioning job), never 500.
//
// SQLite reports them as result codes; the low byte is the primary code, the rest refines it
// (SQLITE_BUSY_SNAPSHOT = 517 = 5 | 2<<8). They reach us raw from the driver (`rawCode`, `code`
// 'SQLITE_BUSY_SNAPSHOT'), or wrapped by Prisma: a DriverAdapterError whose `cause.originalCode`
// is the raw code as a string, which Prisma puts under `meta.driverAdapterError` or `cause`.

//
// PostgreSQL reports SQLSTATEs (five characters) on the server's errors, which Prisma's pg adapter
// puts on a `{ kind: 'postgres', code }` cause; connection failures arrive as socket codes or as
// the pool's own messages without a code.

export type StorageFault = 'busy' | 'full' | 'readonly' | 'io' | 'unreachable';

const PRIMARY: Record<number, StorageFault> = {
  5: 'busy', // SQLITE_BUSY
  6: 'busy', // SQLITE_LOCKED
  8: 'readonly', // SQLITE_READONLY
  10: 'io', // SQLITE_IOERR
  13: 'full', // SQLITE_FULL
  14: 'io', // SQLITE_CANTOPEN
};

const NAMED: [RegExp, StorageFault][] = [
  [/^SQLITE_(BUSY|LOCKED)/, 'busy'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_(IOERR|CANTOPEN)/, 'io'],
];

// Prisma's own codes for "could not get the database in time": P2028 is an interactive
// transaction that waited longer than maxWait to start (the write lock is held elsewhere), P1008
// an operation that timed out (the libsql adapter reports SQLITE_BUSY as a socket time-out).
const PRISMA_BUSY = new Set(['P1008', 'P2028']);

/** Seconds a client should wait before retrying, per fault: a lock clears quickly, a full or
 * read-only disk needs an operator. */
const RETRY_AFTER: Record<StorageFault, number> = { busy: 2, full: 30, readonly: 30, io: 10, unreachable: 5 };

const SQLSTATE: Record<string, StorageFault> = {
  '53100': 'full', // disk_full
  '25006': 'readonly', // read_only_sql_transaction (a standby, or default_transaction_read_only)
  '55P03': 'busy', // lock_not_available (lock_timeout)
  '57014': 'busy', // query_canceled (statement_timeout)
  '40P01': 'busy', // deadlock_detected: the other transaction went through, a retry will too
  '53300': 'busy', // too_many_connections
  '57P01': 'unreachable', // admin_shutdown
  '57P02': 'unreachable', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now (starting up, in recovery)
  '58030': 'io', // io_error
};
const PG_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// pg and its pool say these without a code; Prisma's adapter kinds for the same conditions.
const PG_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;
const PG_KIND: Record<string, StorageFault> = {
  DatabaseNotReachable: 'unreachable',
  ConnectionClosed: 'unreachable',
  SocketTimeout: 'unreachable',
  TooManyConnections: 'busy',
};

/** A PostgreSQL-shaped error node: its fault, 'none' when it is PostgreSQL's but no storage fault
 * (so a numeric SQLSTATE is never read as a SQLite result code), null when it is not PostgreSQL's. */
function fromPg(e: { kind?: unknown; code?: unknown; severity?: unknown; message?: unknown; originalCode?: unknown }): StorageFault | 'none' | null {
  // The SQLite adapter reports SQLITE_BUSY (and its extended codes) as SocketTimeout as well: its
  // raw result code, whose low byte is 5, tells a lock from a lost connection.
  if (e.kind === 'SocketTimeout' && typeof e.originalCode === 'string' && /^\d+$/.test(e.originalCode) && (Number(e.originalCode) & 0xff) === 5) return 'busy';
  if (typeof e.kind === 'string' && PG_KIND[e.kind]) return PG_KIND[e.kind]!;
  const isServer = (e.kind === 'postgres' || typeof e.severity === 'string') && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
  if (isServer) {
    const code = e.code as string;
    return SQLSTATE[code] ?? (code.startsWith('08') ? 'unreachable' : 'none');
  }
  if (typeof e.code === 'string' && PG_SOCKET.has(e.code)) return 'unreachable';
  if (typeof e.message === 'string' && PG_MESSAGE.test(e.message)) return 'unreachable';
  return null;
}

export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
  readonly reason: StorageFault;
  readonly retryAfterSeconds: number;
  constructor(reason: StorageFault, options?: { cause?: unknown }) {
    super(`The database is temporarily unavailable (${reason})`, options);
    this.reason = reason;
    this.retryAfterSeconds = RETRY_AFTER[reason];
  }
}

function fromCode(code: unknown): StorageFault | null {
  if (typeof code === 'number' && Number.isInteger(code)) return PRIMARY[code & 0xff] ?? null;
  if (typeof code !== 'string' || code === '') return null;
  if (/^\d+$/.test(code)) return PRIMARY[Number(code) & 0xff] ?? null;
  for (const [re, fault] of NAMED) if (re.test(code)) return fault;
  return null;
}

/** The storage fault behind `err`, however deeply Prisma or the adapter wrapped it; null when
 * `err` is anything else (a constraint violation, a bug, bad input). */
export function storageFault(err: unknown): StorageFault | null {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  const queue: unknown[] = [];
  while (cur !== undefined && cur !== null && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const e = cur as {
      reason?: unknown;
      rawCode?: unknown;
      code?: unknown;
      originalCode?: unknown;
      extendedCode?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
      kind?: unknown;
      severity?: unknown;
      message?: unknown;
    };
    if (cur instanceof StorageUnavailableError) return cur.reason;
    const pg = fromPg(e);
    if (pg !== null && pg !== 'none') return pg;
    const hit = pg === 'none' ? null : fromCode(e.rawCode) ?? fromCode(e.originalCode) ?? fromCode(e.extendedCode) ?? fromCode(e.code);
    if (hit) return hit;
    if (typeof e.code === 'string' && PRISMA_BUSY.has(e.code)) return 'busy';
    if (e.meta?.driverAdapterError) queue.push(e.meta.driverAdapterError);
    if (e.cause) queue.push(e.cause);
    cur = queue.shift();
  }
  return null;
}

/** `err` as a StorageUnavailableError when it is a storage fault, else null. */
export function asStorageUnavailable(err: unknown): StorageUnavailableError | null {
  if (err instanceof StorageUnavailableError) return err;
  const reason = storageFault(err);
  return reason ? new StorageUnavailableError(reason, { cause: err }) : null;
}
