import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '@ficus/kit';
import { timeOutOverduePayments } from './time-out-payments';

/**
 * Every `intervalMs`, times out the payments whose deadline has passed. Deadlines live in
 * the database, so a restarted service picks up where the last one stopped.
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
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = null;
        if (this.running) this.schedule();
      });
    }, this.intervalMs);
  }

  private async sweep(): Promise<void> {
    try {
      const cancelled = await timeOutOverduePayments(this.orm.em, new Date());
      if (cancelled > 0) this.logger.info({ cancelled }, 'cancelled orders whose payment timed out');
    } catch (err) {
      this.logger.error({ err }, 'payment timeout sweep failed; will retry');
    }
  }
}
