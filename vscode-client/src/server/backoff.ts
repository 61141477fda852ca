/**
 * When to restart a crashed server: exponential backoff, reset after a healthy run,
 * and a give-up point so a server that dies at start-up does not spin forever. Pure.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run longer than this counts as healthy and resets the backoff. */
  healthyMs: number;
  /** Give up after this many crashes in a row without a healthy run. */
  maxCrashes: number;
}

export const DEFAULT_POLICY: BackoffPolicy = {
  initialMs: 1000,
  maxMs: 30_000,
  healthyMs: 60_000,
  maxCrashes: 6,
};

export class Backoff {
  private crashes = 0;
  private startedAt = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_POLICY) {}

  /** Call when the server (re)started. */
  started(now: number): void {
    this.startedAt = now;
  }

  /** Call when it crashed: the delay before the next start, or null to give up. */
  crashed(now: number): number | null {
    if (this.startedAt > 0 && now - this.startedAt >= this.policy.healthyMs) this.crashes = 0;
    this.crashes++;
    if (this.crashes > this.policy.maxCrashes) return null;
    return Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** (this.crashes - 1));
  }

  /** A manual restart starts over. */
  reset(): void {
    this.crashes = 0;
  }

  get crashCount(): number {
    return this.crashes;
  }
}
