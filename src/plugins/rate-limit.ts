// Per-tenant SCIM rate limit: a token bucket per tenant, so one tenant's provisioning storm cannot
// starve the others. Entra sends about 25 requests/s per tenant at most; the defaults (100/s, bursts
// of 200) never touch it. Beyond the limit: 429 + Retry-After + a SCIM error, which Entra honours
// by backing off (RFC 7644 §3.12 leaves 429 to HTTP; RFC 6585 §4 defines it with Retry-After).
//
// Counters live in this process's memory: the limit is per instance. Sharing them through the
// database would add a write to every SCIM request, costlier than many of the requests themselves;
// with N instances behind a balancer a tenant may reach N times the rate, which is still a fair share
// of each instance.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { ScimError } from '../scim/errors.ts';

interface Bucket {
  tokens: number;
  at: number; // ms, when `tokens` was last brought up to date
}

export interface TokenBucketsOptions {
  perSecond: number;
  burst: number;
  now?: () => number; // ms; tests drive it
  maxKeys?: number;
}

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

export class TokenBuckets {
  readonly perSecond: number;
  readonly burst: number;
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: TokenBucketsOptions) {
    this.perSecond = opts.perSecond;
    this.burst = opts.burst;
    this.now = opts.now ?? (() => performance.now());
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  take(key: string): Take {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.makeRoom(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  /** Forgets tenants whose bucket has refilled: a full bucket and no bucket behave the same. */
  evict(now = this.now()): void {
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [key, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(key);
  }

  /** The table is full: refilled buckets go first; if every tenant is busy, the least recently
   * created entries go (they restart with a full bucket). */
  private makeRoom(now: number): void {
    this.evict(now);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

const plugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const { enabled, perSecond, burst } = config.scimRateLimit;
  if (!enabled) return;
  const buckets = new TokenBuckets({ perSecond, burst });
  const sweeper = setInterval(() => buckets.evict(), 60_000);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  // preParsing runs after every onRequest hook, the SCIM scope's bearer authentication included, so
  // the tenant is known; and before the body is read, so a refused request costs almost nothing.
  app.addHook('preParsing', (req, _reply, payload, done) => {
    const tenantId = (req as { scimAuth?: { tenantId: string } | null }).scimAuth?.tenantId;
    const r = tenantId ? buckets.take(tenantId) : null;
    if (!r || r.ok) return done(null, payload);
    done(
      new ScimError(
        429,
        `Too many requests for this tenant: the limit is ${perSecond} requests per second (bursts of ${burst}) per server instance. Retry after ${r.retryAfterSeconds} s.`,
        undefined,
        { 'retry-after': String(r.retryAfterSeconds) },
      ),
    );
  });
};

export const scimRateLimit = fp(plugin, { name: 'scim-rate-limit' });
