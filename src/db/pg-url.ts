// A postgresql:// DATABASE_URL taken apart into the pool's discrete fields. Discrete fields rather
// than `connectionString`: the adapter derives other connections (a shadow database, a schema) by
// overriding one field, which a connection string would silently win over.
import type pg from 'pg';
import { StartupError } from '../startup-error.ts';

export interface PgTarget {
  pool: pg.PoolConfig;
  /** The PostgreSQL schema every statement runs in (`?schema=`, default public). */
  schema: string;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

// Bounded: PostgreSQL allows 100 connections by default, shared by every instance behind a load
// balancer; 10 per process leaves room for several instances plus operators.
const DEFAULT_POOL_MAX = 10;
const DEFAULT_CONNECT_TIMEOUT_S = 5;
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function intParam(u: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = u.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new StartupError(`DATABASE_URL: ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Query parameters understood: `schema`, `connection_limit` (pool size), `connect_timeout`
 * (seconds), `sslmode` (disable | require | verify-full); the names Prisma's own URLs use. */
export function parsePgUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StartupError('DATABASE_URL is not a valid postgresql:// URL: expected postgresql://user:password@host:5432/database');
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!u.hostname || !database) {
    throw new StartupError('DATABASE_URL must name a host and a database: postgresql://user:password@host:5432/database');
  }
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new StartupError(`DATABASE_URL: schema must be a plain identifier (letters, digits, _), got "${schema}"`);
  const sslmode = u.searchParams.get('sslmode') ?? 'disable';
  if (!['disable', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(sslmode)) {
    throw new StartupError(`DATABASE_URL: sslmode must be disable, require or verify-full, got "${sslmode}"`);
  }
  return {
    schema,
    pool: {
      host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')),
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      database,
      max: intParam(u, 'connection_limit', DEFAULT_POOL_MAX, 1, 1000),
      connectionTimeoutMillis: intParam(u, 'connect_timeout', DEFAULT_CONNECT_TIMEOUT_S, 1, 600) * 1000,
      // Idle connections must not keep a finished CLI command or test process alive.
      allowExitOnIdle: true,
      // Every statement, raw ones included, resolves unqualified table names in this schema.
      options: `-c search_path="${schema}"`,
      ssl: sslmode === 'require' || sslmode === 'prefer' ? { rejectUnauthorized: false } : sslmode.startsWith('verify') ? { rejectUnauthorized: true } : undefined,
    },
  };
}

/** The URL as it may appear in logs and errors: no password. */
export function redactPgUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
