// Throttling of everything that checks a secret someone types or sends: the sign-in
// form (per tenant+username and per client IP), the Go-to-domain step (domain guessing per IP), the
// change-password form (per manager) and client authentication at /oauth/token (per client id and
// per IP). Counters live in the database (login-attempts.ts), shared by every instance.
//
// Check and record are one step: an attempt is claimed BEFORE the secret is checked, so parallel
// attempts cannot all pass a check made before any of them was recorded. An attempt that turns out
// well gives its claim back (or clears the user's counter); a failure keeps it. Past the limit,
// nothing is checked until the window of the full bucket ends; refused attempts are not counted,
// so an attacker cannot extend a lockout by hammering it.
import type { Db } from '../db/client.ts';
import { claimAttempt, releaseAttempt, resetAttempts, sweepAttempts } from '../db/login-attempts.ts';

export interface ThrottleLimits {
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
  maxFailuresPerClient: number;
}

interface Bucket {
  key: string;
  limit: number;
}

/** ok: go ahead (and report how it went); otherwise the seconds to wait. */
export type Claim = { ok: true; buckets: string[] } | { ok: false; retryAfter: number };

export class LoginThrottle {
  #db: Db;
  #limits: ThrottleLimits;
  #now: () => Date;

  constructor(db: Db, limits: ThrottleLimits, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#limits = limits;
    this.#now = now;
  }

  static userKey(tenantId: string, username: string): string {
    return `signin:user:${tenantId}:${username.trim().toLowerCase()}`;
  }

  async #claim(buckets: Bucket[]): Promise<Claim> {
    const claimed: string[] = [];
    for (const b of buckets) {
      const wait = await claimAttempt(this.#db, b.key, b.limit, this.#limits.windowSeconds, this.#now());
      if (wait > 0) {
        for (const k of claimed) await releaseAttempt(this.#db, k);
        return { ok: false, retryAfter: wait };
      }
      claimed.push(b.key);
    }
    return { ok: true, buckets: claimed };
  }

  async #release(keys: string[]): Promise<void> {
    for (const k of keys) await releaseAttempt(this.#db, k);
  }

  /** Sign-in form: per tenant+username and per client IP. */
  claimSignIn(tenantId: string, username: string, ip: string): Promise<Claim> {
    return this.#claim([
      { key: LoginThrottle.userKey(tenantId, username), limit: this.#limits.maxFailuresPerUser },
      { key: `signin:ip:${ip}`, limit: this.#limits.maxFailuresPerIp },
    ]);
  }

  /** The right password clears that user's counter; the IP only gets this attempt back (one right
   * password must not reset a spray across many accounts). */
  async signInSucceeded(tenantId: string, username: string, ip: string): Promise<void> {
    await resetAttempts(this.#db, LoginThrottle.userKey(tenantId, username));
    await releaseAttempt(this.#db, `signin:ip:${ip}`);
  }

  /** Go-to-domain: unknown domains per client IP (probing which tenants exist). */
  claimDomainLookup(ip: string): Promise<Claim> {
    return this.#claim([{ key: `domain:ip:${ip}`, limit: this.#limits.maxFailuresPerIp }]);
  }

  /** Change-password form: wrong current passwords per manager and per client IP. */
  claimPasswordCheck(managerId: string, ip: string): Promise<Claim> {
    return this.#claim([
      { key: `password:manager:${managerId}`, limit: this.#limits.maxFailuresPerUser },
      { key: `password:ip:${ip}`, limit: this.#limits.maxFailuresPerIp },
    ]);
  }

  /**
   * Client authentication at the token, revocation and introspection endpoints: per client id from
   * one address, and per address. Never per client id alone: Entra's client id is public and shared
   * by every tenant, so a counter per id would let anyone who guesses at its secret stop every
   * tenant's token refreshes.
   */
  claimClientAuth(clientId: string | null, ip: string): Promise<Claim> {
    const buckets: Bucket[] = [{ key: `client:ip:${ip}`, limit: this.#limits.maxFailuresPerIp }];
    if (clientId) buckets.unshift({ key: `client:id:${clientId}:ip:${ip}`, limit: this.#limits.maxFailuresPerClient });
    return this.#claim(buckets);
  }

  /** The attempt went well: its claims are given back. */
  succeeded(claim: Claim): Promise<void> {
    return claim.ok ? this.#release(claim.buckets) : Promise.resolve();
  }

  /** For the periodic sweep: buckets whose window ended. */
  sweep(): Promise<number> {
    return sweepAttempts(this.#db, this.#limits.windowSeconds, this.#now());
  }
}

export function describeWait(seconds: number): string {
  if (seconds <= 60) return `${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
