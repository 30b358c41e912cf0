// Login throttling (issue 2 §6): failed sign-ins are counted per tenant+username and per client IP
// in a fixed window (config.login). Past the limit, sign-in is refused without checking the
// password until the oldest failure in the window ages out; the caller tells the person how long.
//
// In memory, per process: with several instances behind a balancer the effective limit is
// N × the configured one, which still stops online guessing; a shared store can replace this
// class without touching callers.
export interface ThrottleLimits {
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export class LoginThrottle {
  #limits: ThrottleLimits;
  #failures = new Map<string, number[]>(); // key → failure times (ms), oldest first
  #now: () => number;

  constructor(limits: ThrottleLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  static userKey(tenantId: string, username: string): string {
    return `u:${tenantId}:${username.trim().toLowerCase()}`;
  }

  static ipKey(ip: string): string {
    return `ip:${ip}`;
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.#limits.windowSeconds * 1000;
    const list = this.#failures.get(key);
    if (!list) return [];
    while (list.length && list[0] <= cutoff) list.shift();
    if (!list.length) this.#failures.delete(key);
    return list;
  }

  /** Seconds to wait before another attempt is allowed, 0 when allowed now. */
  retryAfter(tenantId: string | null, username: string | null, ip: string): number {
    const checks: Array<[string, number]> = [[LoginThrottle.ipKey(ip), this.#limits.maxFailuresPerIp]];
    if (tenantId && username) checks.push([LoginThrottle.userKey(tenantId, username), this.#limits.maxFailuresPerUser]);
    let wait = 0;
    for (const [key, max] of checks) {
      const list = this.#recent(key);
      if (list.length >= max) {
        const freeAt = list[list.length - max] + this.#limits.windowSeconds * 1000;
        wait = Math.max(wait, Math.ceil((freeAt - this.#now()) / 1000));
      }
    }
    return wait;
  }

  recordFailure(tenantId: string | null, username: string | null, ip: string): void {
    const now = this.#now();
    const keys = [LoginThrottle.ipKey(ip)];
    if (tenantId && username) keys.push(LoginThrottle.userKey(tenantId, username));
    for (const key of keys) {
      const list = this.#recent(key);
      list.push(now);
      // Never keep more entries than the larger limit needs.
      const cap = Math.max(this.#limits.maxFailuresPerIp, this.#limits.maxFailuresPerUser);
      if (list.length > cap) list.splice(0, list.length - cap);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > 100_000) this.#sweep();
  }

  /** A successful sign-in clears that user's counter (not the IP's: one right password must not
   * reset a spray across many accounts). */
  recordSuccess(tenantId: string, username: string): void {
    this.#failures.delete(LoginThrottle.userKey(tenantId, username));
  }

  #sweep(): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key);
  }
}

export function describeWait(seconds: number): string {
  if (seconds <= 60) return `${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
