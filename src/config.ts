// The only reader of process.env: validated once, typed, frozen.
// Tests build a Config with overrides instead of touching the environment.
import path from 'node:path';
import net from 'node:net';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string; // issuer base and absolute links, no trailing slash
  readonly databaseUrl: string;
  readonly dbBusyWaitMs: number; // longest wait for a write lock another process holds; then 503
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty';
  /** HTTP time-outs and shutdown bound, in seconds (timeouts.ts, shutdown.ts). */
  readonly lifecycle: {
    readonly requestTimeoutSeconds: number; // whole request (headers and body) received
    readonly headersTimeoutSeconds: number; // request headers received; <= requestTimeoutSeconds
    readonly keepAliveTimeoutSeconds: number; // idle kept-alive connection closed after
    readonly shutdownTimeoutSeconds: number; // in-flight requests get this long after SIGTERM
  };
  /** Per-tenant SCIM token bucket, per instance (rate-limit.ts). */
  readonly scimRateLimit: { readonly enabled: boolean; readonly perSecond: number; readonly burst: number };
  readonly entra: {
    readonly clientId: string;
    readonly clientSecrets: readonly string[]; // empty: generated on first start, persisted (cli entra show)
    readonly redirectUris: readonly string[];
  };
  readonly tokens: {
    readonly accessTokenTtl: number; // seconds, 3600..21600 (Microsoft requires access tokens to live 60 minutes to 6 hours)
    readonly refreshTokenTtl: number; // seconds, sliding
    readonly refreshGraceSeconds: number; // previous refresh token stays valid this long after rotation
    readonly codeTtl: number;
    readonly sessionTtl: number;
    readonly tokenCacheMs: number; // bound on cross-process staleness of the bearer → tenant cache
  };
  readonly scim: {
    readonly defaultCount: number;
    readonly maxResults: number;
    readonly bulkMaxOperations: number;
    readonly bulkMaxPayloadBytes: number;
    readonly pageMaxBytes: number; // a list/search page stops adding resources at this JSON size
  };
  readonly login: {
    readonly maxFailuresPerUser: number; // per tenant+username within the window
    readonly maxFailuresPerIp: number;
    readonly windowSeconds: number;
    readonly maxFailuresPerClient: number; // /oauth/token client-authentication failures per client id from one address
  };
  /** Which peers may set X-Forwarded-For (Fastify trustProxy): false, a hop count, or addresses/CIDRs. */
  readonly trustProxy: false | number | readonly string[];
  /** DATA_ENCRYPTION_KEY; null: generated into secret.key beside the database (zero-config only). */
  readonly dataEncryptionKey: string | null;
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  readonly activityRetentionDays: number;
  /** Off only to measure or troubleshoot: SCIM requests are then not recorded at all. */
  readonly activityRecording: boolean;
  readonly console: { readonly idleTimeoutSeconds: number; readonly absoluteTimeoutSeconds: number };
  /** End-user (SSO) sessions: separate from console sessions. */
  readonly sso: { readonly sessionIdleSeconds: number; readonly sessionAbsoluteSeconds: number };
}

export class ConfigError extends Error {}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${env[name]}")`);
}

type Env = Record<string, string | undefined>;

const DEFAULT_REDIRECTS = [
  'https://portal.azure.com/TokenAuthorize',
  'https://aad.portal.azure.com/TokenAuthorize',
  'https://entra.microsoft.com/TokenAuthorize',
];

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function onOff(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be on or off (got "${env[name]}")`);
}

function list(env: Env, name: string, def: readonly string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [...def];
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** TRUST_PROXY: empty (trust no proxy), a hop count, or a comma list of addresses and CIDRs. A
 * blanket "true" is refused: it would let any client choose its own IP for the throttles. */
function trustProxy(env: Env): false | number | string[] {
  const raw = env.TRUST_PROXY?.trim() ?? '';
  if (raw === '' || raw === '0' || raw.toLowerCase() === 'false' || raw.toLowerCase() === 'none') return false;
  if (/^[0-9]+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 0, 20);
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of entries) {
    const [addr, bits, extra] = e.split('/');
    const family = net.isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^[0-9]+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`TRUST_PROXY must be a hop count or a comma list of IP addresses/CIDRs (got "${e}")`);
    }
  }
  return entries;
}

function lifecycle(env: Env): Config['lifecycle'] {
  const requestTimeoutSeconds = int(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 3600);
  const headersTimeoutSeconds = int(env, 'REQUEST_HEADERS_TIMEOUT_SECONDS', Math.min(10, requestTimeoutSeconds), 1, 3600);
  // Node refuses a headers time-out longer than the request time-out that contains it.
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(`REQUEST_HEADERS_TIMEOUT_SECONDS (${headersTimeoutSeconds}) must not exceed REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`);
  }
  return {
    requestTimeoutSeconds,
    headersTimeoutSeconds,
    keepAliveTimeoutSeconds: int(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', 5, 1, 3600),
    shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 3600),
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export type ConfigOverrides = {
  [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K];
};

export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicUrl = (env.PUBLIC_URL?.trim() || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL (got "${publicUrl}")`);
  }
  const redirectUris = list(env, 'ENTRA_REDIRECT_URIS', DEFAULT_REDIRECTS);
  for (const r of redirectUris) {
    try {
      new URL(r);
    } catch {
      throw new ConfigError(`ENTRA_REDIRECT_URIS contains an invalid URL: "${r}"`);
    }
  }
  const base: Config = {
    host,
    port,
    publicUrl,
    databaseUrl: env.DATABASE_URL?.trim() || `file:${path.join('data', 'securelogin.db')}`,
    dbBusyWaitMs: int(env, 'DB_BUSY_WAIT_MS', 5000, 0, 60000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    lifecycle: lifecycle(env),
    scimRateLimit: {
      enabled: onOff(env, 'SCIM_RATE_LIMIT', true),
      perSecond: int(env, 'SCIM_RATE_LIMIT_PER_SECOND', 100, 1, 100000),
      burst: int(env, 'SCIM_RATE_LIMIT_BURST', 200, 1, 1000000),
    },
    entra: {
      clientId: env.ENTRA_CLIENT_ID?.trim() || 'securelogin-entra',
      clientSecrets: list(env, 'ENTRA_CLIENT_SECRETS', []),
      redirectUris,
    },
    tokens: {
      accessTokenTtl: int(env, 'ACCESS_TOKEN_TTL', 3600, 3600, 21600),
      refreshTokenTtl: int(env, 'REFRESH_TOKEN_TTL', 90 * 86400, 86400, 3650 * 86400),
      refreshGraceSeconds: int(env, 'REFRESH_TOKEN_GRACE', 3600, 0, 7 * 86400),
      codeTtl: int(env, 'AUTHORIZATION_CODE_TTL', 600, 30, 600),
      sessionTtl: int(env, 'SESSION_TTL', 8 * 3600, 300, 30 * 86400),
      tokenCacheMs: int(env, 'TOKEN_CACHE_MS', 1000, 0, 60000),
    },
    scim: {
      defaultCount: int(env, 'SCIM_DEFAULT_COUNT', 100, 1, 1000),
      maxResults: int(env, 'SCIM_MAX_RESULTS', 1000, 1, 10000),
      bulkMaxOperations: int(env, 'SCIM_BULK_MAX_OPERATIONS', 1000, 1, 100000),
      bulkMaxPayloadBytes: int(env, 'SCIM_BULK_MAX_PAYLOAD_BYTES', 1048576, 1024, 64 * 1048576),
      pageMaxBytes: int(env, 'SCIM_PAGE_MAX_BYTES', 4 * 1048576, 16384, 256 * 1048576),
    },
    login: {
      maxFailuresPerUser: int(env, 'LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000),
      maxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 30, 1, 100000),
      windowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 900, 10, 86400),
      maxFailuresPerClient: int(env, 'CLIENT_AUTH_MAX_FAILURES', 100, 1, 100000),
    },
    argon2: {
      memoryCost: int(env, 'ARGON2_MEMORY_KIB', 65536, 1024, 4194304),
      timeCost: int(env, 'ARGON2_TIME_COST', 3, 1, 100),
      parallelism: int(env, 'ARGON2_PARALLELISM', 4, 1, 64),
    },
    activityRetentionDays: int(env, 'ACTIVITY_RETENTION_DAYS', 30, 1, 3650),
    activityRecording: onOff(env, 'ACTIVITY_RECORDING', true),
    trustProxy: trustProxy(env),
    dataEncryptionKey: env.DATA_ENCRYPTION_KEY?.trim() || null,
    console: {
      idleTimeoutSeconds: int(env, 'CONSOLE_IDLE_TIMEOUT', 30 * 60, 60, 86400),
      absoluteTimeoutSeconds: int(env, 'CONSOLE_ABSOLUTE_TIMEOUT', 12 * 3600, 300, 7 * 86400),
    },
    sso: {
      sessionIdleSeconds: int(env, 'SSO_SESSION_IDLE_TIMEOUT', 60 * 60, 60, 7 * 86400),
      sessionAbsoluteSeconds: int(env, 'SSO_SESSION_ABSOLUTE_TIMEOUT', 12 * 3600, 300, 30 * 86400),
    },
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const cur = (base as unknown as Record<string, unknown>)[k];
    merged[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? { ...cur, ...v } : v;
  }
  return deepFreeze(merged as unknown as Config);
}
