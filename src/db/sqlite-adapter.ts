// Prisma's libsql adapter on one long-lived SQLite connection.
//
// @libsql/client's `transaction()` hands its connection to the transaction and lazily opens a new
// one for the next statement, and the transaction never closes the one it took. Under Prisma every
// write is a transaction, so every write opened a connection (cold page cache, schema re-parsed on
// the next prepare) and leaked the old one until GC: the benchmark showed ~25 % of server CPU in
// libsql prepare/open and an 800 MB peak RSS. The adapter already serialises all I/O through one
// mutex and holds it for a whole transaction, so nothing else can use the connection meanwhile:
// BEGIN/COMMIT on the same connection is safe and keeps its caches warm.
import { LibsqlError, type Client, type Config, type InStatement, type ResultSet } from '@libsql/client';
import Database from 'libsql';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { storageFault } from './storage-errors.ts';
import type { StorageHealth } from './storage-health.ts';

// Per-connection settings, applied once when the connection opens.
// - synchronous=NORMAL: in WAL mode a commit no longer waits for fsync; the database cannot be
//   corrupted by a crash, only the last commits before a power loss can be lost (SQLite docs,
//   "WAL mode... synchronous=NORMAL"). Entra re-sends whatever it did not see confirmed.
// - busy_timeout=0: SQLite's own wait for a lock sleeps inside the call, on the event loop, so a
//   lock held by the CLI or another process froze every request and health check. Lock waits are
//   done here instead, asynchronously (acquireWriteLock).
const CONNECTION_PRAGMAS = ['PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 0', 'PRAGMA foreign_keys = ON'];

// Every transaction takes the write lock when it begins. A deferred transaction that reads first
// holds a read snapshot; if another process commits before its first write, the write fails with
// SQLITE_BUSY_SNAPSHOT and can never succeed inside that transaction. In this process all
// transactions are serialised on one connection anyway, so taking the lock up front costs nothing.
const BEGIN = 'BEGIN IMMEDIATE';

// Statements that need no write lock of their own: reads, and those that manage transactions or
// the connection themselves. Anything else (INSERT ... RETURNING included, which the driver calls
// a reader because it answers rows) is a write.
const NOT_A_WRITE = /^\s*(SELECT|PRAGMA|EXPLAIN|BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ATTACH|DETACH|ANALYZE|REINDEX)\b/i;

// Back-off while another process holds the write lock: short first, so a lock held for a
// millisecond costs about that, then at most LOCK_RETRY_MAX_MS between attempts.
const LOCK_RETRY_FIRST_MS = 1;
const LOCK_RETRY_MAX_MS = 50;

export interface SqliteOptions {
  /** Longest wait for another process's write lock before a statement fails with SQLITE_BUSY. */
  busyWaitMs: number;
  health?: StorageHealth;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busyError(ms: number): LibsqlError {
  return new LibsqlError(`SQLITE_BUSY: the database stayed locked by another process for ${ms} ms`, 'SQLITE_BUSY', 5);
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

// Prisma's adapter calls exactly these on a transaction (execute, commit, rollback) and on the
// client (execute, transaction, executeMultiple, close); nothing else is implemented.
class SameConnectionTransaction {
  #client: SingleConnectionClient;
  #open = true;
  #ended: unknown = null;
  constructor(client: SingleConnectionClient) {
    this.#client = client;
  }
  async execute(stmt: InStatement): Promise<ResultSet> {
    if (!this.#open) throw new Error('The transaction is closed');
    // Once SQLite has rolled the transaction back (SQLITE_FULL, SQLITE_IOERR, a lock error), a
    // later statement would run outside it and commit on its own: refuse it instead.
    if (this.#ended) throw this.#ended;
    try {
      return await this.#client.execute(stmt);
    } catch (e) {
      if (isBusy(e)) this.#client.rollback();
      if (!this.#client.inTransaction) this.#ended = e;
      throw e;
    }
  }
  async commit(): Promise<void> {
    if (!this.#open) throw new Error('The transaction is closed');
    this.#open = false;
    if (this.#ended) throw this.#ended;
    this.#client.commit();
  }
  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    if (!this.#ended) this.#client.rollback();
  }
}

const STATEMENT_CACHE_SIZE = 500;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// The parts of the `libsql` driver used here (its bundled typings are better-sqlite3's).
interface Statement {
  readonly reader: boolean;
  raw(on: boolean): unknown;
  safeIntegers(on: boolean): unknown;
  columns(): { name: string; type: string | null }[];
  all(args: unknown[]): unknown[];
  run(args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface Connection {
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  close(): unknown;
}

interface Prepared {
  stmt: Statement;
  reader: boolean;
  /** A write: runs in a transaction of its own when none is open (see execute). */
  wrap: boolean;
  columns: string[];
  columnTypes: string[];
}

// Values in and out, as @libsql/client converts them with its default intMode "number". A Date
// (only side writes pass one; Prisma's adapter has already turned its own into strings) is stored
// as the adapter stores DateTime, ISO 8601 with +00:00, so stored values compare and sort alike.
function toSql(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return v;
}

function fromSql(v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v < MIN_SAFE || v > MAX_SAFE) throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    return Number(v);
  }
  if (v instanceof Buffer) return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  return v;
}

/**
 * The part of @libsql/client's Client that Prisma's adapter uses, on one connection of the
 * `libsql` driver (the one @libsql/client wraps), with two differences that matter on the hot path:
 * prepared statements are cached by SQL text (Prisma's SQL is parameterised, so the set is small;
 * preparing was 7-14 % of server CPU), and readers are told apart with `stmt.reader` rather than
 * by catching the exception `raw()` throws for writes. Transactions stay on this connection (see
 * the header).
 *
 * No statement here ever waits for a lock inside SQLite, and none ever fails half-run because of
 * one: a statement that fails with SQLITE_BUSY is left active by the driver (it does not reset
 * statements on error), and an active statement keeps its read snapshot, so the connection
 * served stale reads and every later write failed with SQLITE_BUSY_SNAPSHOT until restart.
 * Writes therefore run only after BEGIN IMMEDIATE has taken the write lock (run through exec(),
 * which finalises its statement), and waiting for that lock is an asynchronous retry.
 */
class SingleConnectionClient {
  #db: Connection;
  #cache = new Map<string, Prepared>();
  #busyWaitMs: number;
  #health: StorageHealth | undefined;
  closed = false;

  constructor(file: string, opts: SqliteOptions) {
    this.#busyWaitMs = opts.busyWaitMs;
    this.#health = opts.health;
    this.#db = new Database(file) as unknown as Connection;
    for (const sql of CONNECTION_PRAGMAS) {
      const stmt = this.#db.prepare(sql); // some pragmas answer with a row: exec() refuses those
      if (stmt.reader) stmt.all([]);
      else stmt.run([]);
    }
  }

  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  #prepare(sql: string): Prepared {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Refresh its place: the cache evicts the least recently used statement.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    const stmt = this.#db.prepare(sql);
    const reader = stmt.reader;
    let columns: string[] = [];
    let columnTypes: string[] = [];
    if (reader) {
      stmt.raw(true);
      stmt.safeIntegers(true);
      const cols = stmt.columns();
      columns = cols.map((c) => c.name);
      columnTypes = cols.map((c) => c.type ?? '');
    }
    const p = { stmt, reader, wrap: !NOT_A_WRITE.test(sql), columns, columnTypes };
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sql, p);
    return p;
  }

  /** The error as Prisma's adapter expects it; a storage fault is noted for /readyz. */
  #fail(e: unknown): unknown {
    const fault = storageFault(e);
    if (fault) this.#health?.failure(fault);
    return toLibsqlError(e);
  }

  /** BEGIN IMMEDIATE, once: true when the write lock is ours, false when another process has it. */
  #tryBegin(): boolean {
    try {
      this.#db.exec(BEGIN);
      return true;
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      if (isBusy(e)) return false;
      throw this.#fail(e);
    }
  }

  /**
   * Takes the write lock, waiting asynchronously (the event loop keeps serving) while another
   * process holds it or one of our own side writes waits for a Prisma transaction to end, then
   * calls `body` synchronously, with nothing able to run in between. Gives up with SQLITE_BUSY
   * after `waitMs`; retrying BEGIN is always safe because nothing has run yet.
   */
  async #locked<T>(body: () => T, waitMs = this.#busyWaitMs): Promise<T> {
    const deadline = Date.now() + waitMs;
    let delay = LOCK_RETRY_FIRST_MS;
    for (;;) {
      if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
      if (!this.#db.inTransaction && this.#tryBegin()) return body();
      if (Date.now() >= deadline) throw this.#fail(busyError(waitMs));
      await sleep(delay);
      delay = Math.min(delay * 2, LOCK_RETRY_MAX_MS);
    }
  }

  #run(p: Prepared, args: unknown[]): ResultSet {
    if (p.reader) {
      const rows = (p.stmt.all(args) as unknown[][]).map((r) => r.map(fromSql));
      return { columns: p.columns, columnTypes: p.columnTypes, rows, rowsAffected: 0, lastInsertRowid: undefined } as unknown as ResultSet;
    }
    const info = p.stmt.run(args);
    return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) } as unknown as ResultSet;
  }

  async execute(stmtOrSql: InStatement): Promise<ResultSet> {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    const sql = typeof stmtOrSql === 'string' ? stmtOrSql : stmtOrSql.sql;
    const rawArgs = typeof stmtOrSql === 'string' ? [] : stmtOrSql.args ?? [];
    if (!Array.isArray(rawArgs)) throw new TypeError('named arguments are not supported');
    const args = rawArgs.map(toSql);
    let p: Prepared;
    try {
      p = this.#prepare(sql);
    } catch (e) {
      throw this.#fail(e);
    }
    // A write outside a transaction gets one of its own, so that it meets the lock at BEGIN
    // (retried) rather than half-run (left active, see the class comment).
    if (p.wrap && !this.#db.inTransaction) return this.#locked(() => this.#runAndCommit(p, args));
    try {
      return this.#run(p, args);
    } catch (e) {
      // A read outside a transaction meets a lock only while another process recovers or
      // truncates the WAL; it held no snapshot, so it can simply run again.
      if (p.reader && isBusy(e) && !this.#db.inTransaction) return this.#retryRead(p, args);
      throw this.#fail(e);
    }
  }

  #runAndCommit(p: Prepared, args: unknown[]): ResultSet {
    try {
      const result = this.#run(p, args);
      this.#db.exec('COMMIT');
      this.#health?.success();
      return result;
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw this.#fail(e);
    }
  }

  async #retryRead(p: Prepared, args: unknown[]): Promise<ResultSet> {
    const deadline = Date.now() + this.#busyWaitMs;
    for (let delay = LOCK_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, LOCK_RETRY_MAX_MS)) {
      await sleep(delay);
      try {
        return this.#run(p, args);
      } catch (e) {
        if (!isBusy(e) || Date.now() >= deadline) throw this.#fail(e);
      }
    }
  }

  async transaction(): Promise<SameConnectionTransaction> {
    await this.#locked(() => undefined);
    return new SameConnectionTransaction(this);
  }

  commit(): void {
    try {
      this.#db.exec('COMMIT');
      this.#health?.success();
    } catch (e) {
      // A failed COMMIT leaves the transaction open on the shared connection; close it so the
      // next statement does not run inside it.
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw this.#fail(e);
    }
  }

  /** Ends the open transaction, if SQLite has not already ended it (SQLITE_FULL, SQLITE_IOERR
   * and a failed COMMIT roll back by themselves). */
  rollback(): void {
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }

  async executeMultiple(sql: string): Promise<void> {
    const inside = this.#db.inTransaction;
    try {
      this.#db.exec(sql);
    } catch (e) {
      throw this.#fail(e);
    } finally {
      // As @libsql/client: a script run outside a transaction must not leave one open behind it.
      if (!inside && this.#db.inTransaction) this.#db.exec('ROLLBACK');
    }
  }

  /**
   * Runs write statements in one transaction straight on the driver, for bulk side writes (the
   * activity log) whose bound parameters cost ~6x more through Prisma's raw-query path than the
   * statement itself. Safe beside Prisma: from BEGIN to COMMIT everything here runs
   * synchronously, so nothing else can touch the connection in between; it waits (bounded) while
   * a Prisma transaction is open (those span awaits) or another process holds the lock, and the
   * caller (the activity recorder) keeps its batch and retries on the next flush.
   */
  async writeAtomically(statements: { sql: string; args: unknown[] }[]): Promise<void> {
    await this.#locked(() => {
      try {
        for (const s of statements) this.#prepare(s.sql).stmt.run(s.args.map(toSql));
        this.#db.exec('COMMIT');
        this.#health?.success();
      } catch (e) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw this.#fail(e);
      }
    });
  }

  /**
   * Proves that a write could be made now, and leaves nothing behind: takes the write lock and
   * writes a row big enough to need new pages (so a full disk or page budget shows), then rolls
   * back. SQLITE_READONLY shows at BEGIN IMMEDIATE already.
   */
  async probeWrite(waitMs: number): Promise<void> {
    await this.#locked(() => {
      try {
        this.#prepare(PROBE_SQL).stmt.run([]);
      } catch (e) {
        throw this.#fail(e);
      } finally {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      }
    }, Math.min(waitMs, this.#busyWaitMs));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#cache.clear();
    this.#db.close();
  }
}

// Prisma's migration table exists in every database this service opens (migrate.ts creates it).
// 8 KiB of zeros spills into overflow pages, which are allocated even though nothing is committed.
const PROBE_SQL = `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "started_at") VALUES ('readyz-probe', '', 'readyz-probe', zeroblob(8192), 0)`;

/** Errors shaped as @libsql/client's, which Prisma's adapter maps (e.g. 2067 → unique violation). */
function toLibsqlError(e: unknown): unknown {
  const err = e as { message?: string; code?: string; rawCode?: number };
  if (e instanceof Error && typeof err.code === 'string' && typeof err.rawCode === 'number') return new LibsqlError(e.message, err.code, err.rawCode, e);
  return e;
}

/** The adapter factory the application uses for SQLite. */
export interface DirectWriter {
  writeAtomically(statements: { sql: string; args: unknown[] }[]): Promise<void>;
}

export class SqliteAdapterFactory extends PrismaLibSQL {
  #client: SingleConnectionClient | null = null;
  #opts: SqliteOptions;

  constructor(config: Config, opts: SqliteOptions) {
    super(config);
    this.#opts = opts;
  }

  override createClient(config: Config): Client {
    const file = config.url.replace(/^file:/, '');
    this.#client = new SingleConnectionClient(file, this.#opts);
    return this.#client as unknown as Client;
  }

  /** The live connection for side writes, once Prisma has opened it. */
  directWriter(): DirectWriter | null {
    return this.#client && !this.#client.closed ? this.#client : null;
  }

  /** A write probe on the live connection (see SingleConnectionClient.probeWrite); null before
   * Prisma has opened it. */
  probeWrite(waitMs: number): Promise<void> | null {
    return this.#client && !this.#client.closed ? this.#client.probeWrite(waitMs) : null;
  }
}
