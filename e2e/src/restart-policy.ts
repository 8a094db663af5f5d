/**
 * When a crashed service is started again, and when the launcher stops trying: exponential
 * backoff as pm2's `exp_backoff_restart_delay`, a crash budget as systemd's
 * StartLimitBurst / StartLimitIntervalSec.
 */
export interface RestartPolicy {
  /** Wait before the first restart; each further one doubles it. */
  initialDelayMs: number;
  /** The longest wait between restarts. */
  maxDelayMs: number;
  /** This many crashes within `crashWindowMs` and the service is given up on. */
  crashLimit: number;
  crashWindowMs: number;
  /** A service that stayed up this long before crashing starts again from the first delay. */
  resetAfterMs: number;
  /** A restarted service not ready (`/ready` 200) by then is given up on. */
  readyTimeoutMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  crashLimit: 5,
  crashWindowMs: 60_000,
  resetAfterMs: 60_000,
  readyTimeoutMs: 60_000,
};

export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'give-up'; crashes: number; withinMs: number };

/** The crashes of one service, and what to do about the next one. */
export class CrashHistory {
  private crashTimes: number[] = [];
  private attempts = 0;

  constructor(private readonly policy: RestartPolicy) {}

  /**
   * Records a crash at `now` of a process that had been up (ready) since `upSince`
   * (undefined when it crashed before it was ready) and decides what follows.
   */
  recordCrash(now: number, upSince: number | undefined): RestartDecision {
    if (upSince !== undefined && now - upSince >= this.policy.resetAfterMs) {
      this.attempts = 0;
      this.crashTimes = [];
    }
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.policy.crashWindowMs), now];
    if (this.crashTimes.length >= this.policy.crashLimit) return { action: 'give-up', ...this.recent(now) };
    this.attempts += 1;
    const delayMs = Math.min(this.policy.initialDelayMs * 2 ** (this.attempts - 1), this.policy.maxDelayMs);
    return { action: 'restart', attempt: this.attempts, delayMs };
  }

  /** The crashes within the window before `now`, and the time since the first of them. */
  recent(now: number): { crashes: number; withinMs: number } {
    const recent = this.crashTimes.filter((t) => now - t < this.policy.crashWindowMs);
    return { crashes: recent.length, withinMs: recent.length > 0 ? now - recent[0]! : 0 };
  }
}
