import { EntityManager, MikroORM } from '@mikro-orm/core';
import { EventEnvelope, EventPublisher } from '@ficus/events';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { OutboxEvent } from './outbox-event';

/** The columns of an unpublished outbox row that relaying needs, as the database names them. */
interface PendingRow {
  id: string;
  type: string;
  aggregate_id: string;
  envelope: string;
  attempts: number;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How often to look for rows when nothing nudged the relay. */
  pollIntervalMs?: number;
  /** Backoff after a failed publish doubles from `minBackoffMs` up to this. */
  maxBackoffMs?: number;
  minBackoffMs?: number;
  /** Claim rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL); off for SQLite. */
  lockRows?: boolean;
  metrics?: ServiceMetrics;
}

/**
 * Publishes committed outbox rows to JetStream, each aggregate's in id order, and marks
 * them published.
 * While NATS is unreachable it keeps the rows and retries with backoff: a committed
 * change is never lost and never fails because of the broker.
 *
 * On PostgreSQL a batch is claimed with `FOR UPDATE SKIP LOCKED`, so several replicas
 * relay side by side without queueing behind each other, each aggregate's events still in order. On SQLite (one process per file)
 * rows are read without holding the single connection while publishing.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly lockRows: boolean;
  private readonly metrics?: ServiceMetrics;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private nudged = false;
  private backoffMs = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.lockRows = options.lockRows ?? false;
    this.metrics = options.metrics;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks the relay to look for new rows now (called after a transaction commits). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Stops the loop, then makes one last attempt to publish what is pending, bounded by
   * `deadlineMs`. Whatever is still unpublished stays in the table for the next start.
   */
  async stop(deadlineMs = 5_000): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const outcome = await this.relayBatch().catch(() => 'failed' as const);
      if (outcome !== 'full') break;
    }
  }

  /** Publishes one batch. Returns whether the batch was full (more may be waiting). */
  relayBatch(): Promise<'empty' | 'partial' | 'full' | 'failed'> {
    // Plain statements: the relay only moves rows, so the unit of work and the identity
    // map would be pure overhead on the hottest loop of every service.
    return this.lockRows ? this.relayClaimedBatch() : this.relayReadBatch();
  }

  /**
   * PostgreSQL: one statement claims the batch (`FOR UPDATE SKIP LOCKED`) and marks it
   * published inside a transaction that commits only after publishing, so three round trips
   * instead of a SELECT and a later UPDATE. A crash before the commit undoes the mark; rows
   * that failed to go out are unmarked before it.
   *
   * Other replicas' relays skip the rows this one holds, and also every later row of an
   * aggregate whose earlier rows are still unpublished outside their own batch (held by another
   * relay, or waiting for a retry): an aggregate's events go out in order whichever replica
   * relays them. Such a row is picked up once the earlier ones are committed as published.
   */
  private relayClaimedBatch(): Promise<'empty' | 'partial' | 'full' | 'failed'> {
    return this.orm.em.fork().transactional(async (tx) => {
      const claimed: PendingRow[] = await tx.getConnection().execute(
        'with candidates as' +
          ' (select id, aggregate_id from ficus_outbox where published_at is null order by id limit ? for update skip locked)' +
          ' update ficus_outbox set published_at = ? where id in' +
          ' (select c.id from candidates c where not exists (select 1 from ficus_outbox earlier' +
          ' where earlier.aggregate_id = c.aggregate_id and earlier.published_at is null and earlier.id < c.id' +
          ' and earlier.id not in (select id from candidates)))' +
          ' returning id, type, aggregate_id, envelope, attempts',
        [this.batchSize, new Date()],
        'all',
        tx.getTransactionContext(),
      );
      if (claimed.length === 0) return 'empty' as const;
      const rows = claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const { published, failed } = await this.publishRows(tx, rows);
      if (failed) {
        const sent = new Set(published);
        await this.setPublishedAt(tx, rows.filter((row) => !sent.has(row.id)).map((row) => row.id), null);
        return 'failed' as const;
      }
      return rows.length === this.batchSize ? ('full' as const) : ('partial' as const);
    });
  }

  /** SQLite (one process per file): rows are read, published, then marked, without holding the single connection meanwhile. */
  private async relayReadBatch(): Promise<'empty' | 'partial' | 'full' | 'failed'> {
    const em = this.orm.em.fork();
    const rows: PendingRow[] = await em
      .getConnection()
      .execute(
        'select id, type, aggregate_id, envelope, attempts from ficus_outbox where published_at is null order by id limit ?',
        [this.batchSize],
        'all',
      );
    if (rows.length === 0) return 'empty';
    const { published, failed } = await this.publishRows(em, rows);
    await this.setPublishedAt(em, published, new Date());
    if (failed) return 'failed';
    return rows.length === this.batchSize ? 'full' : 'partial';
  }

  private async setPublishedAt(em: EntityManager, ids: string[], publishedAt: Date | null): Promise<void> {
    if (ids.length === 0) return;
    await em
      .getConnection()
      .execute(
        `update ficus_outbox set published_at = ? where id in (${ids.map(() => '?').join(', ')})`,
        [publishedAt, ...ids],
        'run',
        em.getTransactionContext(),
      );
  }

  /**
   * Publishes one aggregate's events one after another, in id order, and different
   * aggregates' events side by side, so a batch costs about one broker round trip rather
   * than one per event. Consumers order events per aggregate only, which this keeps: after a
   * failure, that aggregate's later events wait for the retry, which starts again at the
   * failed row. `em` is the claiming transaction on PostgreSQL: the failure is recorded
   * under its row lock.
   */
  private async publishRows(em: EntityManager, rows: PendingRow[]): Promise<{ published: string[]; failed: boolean }> {
    const byAggregate = new Map<string, PendingRow[]>();
    for (const row of rows) {
      const chain = byAggregate.get(row.aggregate_id);
      if (chain) chain.push(row);
      else byAggregate.set(row.aggregate_id, [row]);
    }
    const published: string[] = [];
    let failed = false;
    await Promise.all(
      [...byAggregate.values()].map(async (chain) => {
        for (const row of chain) {
          try {
            const ack = await this.publisher.publish(JSON.parse(row.envelope) as EventEnvelope);
            published.push(row.id);
            this.metrics?.outboxPublished.inc();
            this.logger.debug({ eventId: row.id, eventType: row.type, seq: ack.seq, duplicate: ack.duplicate }, 'event published');
          } catch (err) {
            failed = true;
            this.metrics?.outboxPublishFailures.inc();
            await em.nativeUpdate(OutboxEvent, { id: row.id }, { attempts: row.attempts + 1, lastError: String(err).slice(0, 1_000) });
            this.logger.warn({ eventId: row.id, eventType: row.type, err: String(err) }, 'event publish failed; will retry');
            return;
          }
        }
      }),
    );
    return { published, failed };
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.nudged = false;
      let outcome: Awaited<ReturnType<OutboxRelay['relayBatch']>>;
      try {
        outcome = await this.relayBatch();
      } catch (err) {
        this.logger.error({ err }, 'outbox relay failed to read the outbox');
        outcome = 'failed';
      }
      if (outcome === 'failed') {
        this.backoffMs = Math.min(this.maxBackoffMs, Math.max(this.minBackoffMs, this.backoffMs * 2));
        await this.sleep(this.backoffMs, false);
        continue;
      }
      this.backoffMs = 0;
      if (outcome === 'full') continue;
      if (!this.nudged) await this.sleep(this.pollIntervalMs, true);
    }
  }

  private sleep(ms: number, wakeOnNudge: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = wakeOnNudge ? done : () => (this.running ? undefined : done());
    });
  }
}
