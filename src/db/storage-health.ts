// What the process has seen of its own writes lately, for /readyz. A load balancer must take the
// instance out of rotation while its writes fail (disk full, read-only file, a lock that never
// clears) and put it back by itself once they succeed again, without an operator restart.
import type { StorageFault } from './storage-errors.ts';

export interface StorageHealthState {
  ok: boolean;
  /** The fault of the last failed write while it is still current. */
  reason?: StorageFault;
  since?: string;
}

export class StorageHealth {
  #failedAt = 0;
  #reason: StorageFault | null = null;
  readonly #holdMs: number;
  readonly #now: () => number;

  /** `holdMs`: how long one failed write keeps the instance not ready when no write succeeds after
   * it (a passing probe alone does not prove a full disk has room for real rows). */
  constructor(opts: { holdMs?: number; now?: () => number } = {}) {
    this.#holdMs = opts.holdMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  failure(reason: StorageFault): void {
    this.#reason = reason;
    this.#failedAt = this.#now();
  }

  /** Called on every committed write: one assignment, so it is free on the hot path. */
  success(): void {
    this.#reason = null;
  }

  state(): StorageHealthState {
    if (this.#reason === null) return { ok: true };
    if (this.#now() - this.#failedAt > this.#holdMs) {
      this.#reason = null;
      return { ok: true };
    }
    return { ok: false, reason: this.#reason, since: new Date(this.#failedAt).toISOString() };
  }
}
