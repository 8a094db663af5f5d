import type { Logger } from '@ficus/kit/service';
import type { UsageReportingConfig } from '../config';

/** One operation the gateway served, as the registry keys usage. */
export interface ServedOperation {
  /** Apollo's usage-reporting signature: literals stripped, fields sorted. */
  signature: string;
  operationName: string | null;
  clientName: string;
  clientVersion: string;
  /** `Type.field` on the API schema. */
  coordinates: string[];
}

interface ReportedOperation extends ServedOperation {
  count: number;
}

interface Batch {
  window: { start: string; end: string };
  operations: ReportedOperation[];
}

/** Outcomes of sending a batch, for metrics. */
export type UsageSendOutcome = 'sent' | 'retried' | 'dropped';

export interface UsageReporterOptions extends UsageReportingConfig {
  logger: Logger;
  /** Batches kept while the registry is unreachable; the oldest go first beyond this. */
  maxPendingBatches?: number;
  onSend?(outcome: UsageSendOutcome, operations: number): void;
}

/**
 * Counts the operations the gateway serves and sends them to the registry's `POST /api/usage`
 * in batches: every `intervalMs`, as soon as `maxOperations` distinct operations are counted,
 * and on `stop`. Recording is a map update: a client request never waits on the registry.
 * A batch that got no answer (registry down, 5xx) is kept, up to `maxPendingBatches`, and sent
 * again; one the registry refused (4xx) is dropped, since sending it again cannot help. A batch
 * that got an answer is never resent, because the registry adds what it receives.
 */
export class UsageReporter {
  private current = new Map<string, ReportedOperation>();
  private windowStart = new Date();
  private readonly pending: Batch[] = [];
  private readonly maxPendingBatches: number;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: UsageReporterOptions) {
    this.maxPendingBatches = options.maxPendingBatches ?? 100;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  record(operation: ServedOperation): void {
    const key = JSON.stringify([operation.signature, operation.operationName, operation.clientName, operation.clientVersion]);
    const counted = this.current.get(key);
    if (counted) {
      counted.count += 1;
      counted.coordinates = operation.coordinates;
    } else {
      if (this.current.size === 0) this.windowStart = new Date();
      this.current.set(key, { ...operation, count: 1 });
      if (this.current.size >= this.options.maxOperations) void this.flush();
    }
  }

  /** Cuts the current batch and sends every pending batch, oldest first. Never rejects. */
  flush(): Promise<void> {
    this.cut();
    this.sending = this.sending.then(() => this.sendPending());
    return this.sending;
  }

  /** Stops the timer and sends what is left, giving up after `deadlineMs`. */
  async stop(deadlineMs = 5_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave up'>((resolve) => {
      timeout = setTimeout(() => resolve('gave up'), deadlineMs);
    });
    const outcome = await Promise.race([this.flush(), gaveUp]);
    clearTimeout(timeout);
    const left = this.pending.reduce((n, batch) => n + batch.operations.length, 0);
    if (outcome === 'gave up' || left > 0) {
      this.options.logger.warn({ operations: left }, 'stopped with usage the registry did not take');
    }
  }

  private cut(): void {
    if (this.current.size === 0) return;
    this.pending.push({
      window: { start: this.windowStart.toISOString(), end: new Date().toISOString() },
      operations: [...this.current.values()],
    });
    this.current = new Map();
    while (this.pending.length > this.maxPendingBatches) {
      const dropped = this.pending.shift()!;
      this.options.onSend?.('dropped', dropped.operations.length);
      this.options.logger.warn({ operations: dropped.operations.length }, 'dropped the oldest usage batch: the registry has been unreachable too long');
    }
  }

  private async sendPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending[0]!;
      const outcome = await this.send(batch);
      this.options.onSend?.(outcome, batch.operations.length);
      if (outcome === 'retried') return;
      this.pending.shift();
    }
  }

  private async send(batch: Batch): Promise<UsageSendOutcome> {
    const { url, apiKey, graphRef } = this.options.registry;
    try {
      const response = await fetch(`${url}/api/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ graphRef, ...batch }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return 'sent';
      const body = await response.text().catch(() => '');
      if (response.status >= 500) {
        this.options.logger.warn({ status: response.status, body: body.slice(0, 500) }, 'the registry failed a usage batch; keeping it to retry');
        return 'retried';
      }
      this.options.logger.error({ status: response.status, body: body.slice(0, 500) }, 'the registry refused a usage batch; dropping it');
      return 'dropped';
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      this.options.logger.warn({ registry: url, reason: cause, pendingBatches: this.pending.length }, 'cannot reach the registry to report usage; keeping the batch');
      return 'retried';
    }
  }
}
