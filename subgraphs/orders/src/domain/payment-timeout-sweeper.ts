import type { MikroORM } from '@mikro-orm/core';
import { Logger, runOnOneInstance } from '@ficus/kit';
import { timeOutOverduePayments } from './time-out-payments';

/** The name instances take the sweep's lock under. */
export const paymentTimeoutSweepJob = 'orders:payment-timeout-sweep';

/**
 * Every `intervalMs`, times out the payments whose deadline has passed. Deadlines live in
 * the database, so a restarted service picks up where the last one stopped. With several
 * instances on PostgreSQL, one of them sweeps at a time (an advisory lock); the others skip
 * that tick, so they do not race each other over the same overdue orders.
 */
export class PaymentTimeoutSweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private running = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops sweeping and waits for a sweep in progress, so the database can close after it. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  private schedule(): void {
    // The next sweep is timed from the end of this one, so sweeps never overlap.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweeping = this.sweep().then(() => undefined).finally(() => {
        this.sweeping = null;
        if (this.running) this.schedule();
      });
    }, this.intervalMs);
  }

  /** One tick: whether this instance swept (another held the lock otherwise) and how many orders it cancelled. */
  async sweep(): Promise<{ swept: boolean; cancelled: number }> {
    try {
      const run = await runOnOneInstance(this.orm, paymentTimeoutSweepJob, () => timeOutOverduePayments(this.orm.em, new Date()));
      if (!run.ran) return { swept: false, cancelled: 0 };
      if (run.result > 0) this.logger.info({ cancelled: run.result }, 'cancelled orders whose payment timed out');
      return { swept: true, cancelled: run.result };
    } catch (err) {
      this.logger.error({ err }, 'payment timeout sweep failed; will retry');
      return { swept: false, cancelled: 0 };
    }
  }
}
