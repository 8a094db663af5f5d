import type { MikroORM } from '@mikro-orm/core';
import { Gauge } from 'prom-client';
import type { ServiceMetrics } from './service-metrics';

interface OutboxBacklog {
  pending: number;
  /** Seconds since the oldest unpublished row was written; 0 when none waits. */
  oldestAgeSeconds: number;
}

/**
 * `outbox_backlog_events` and `outbox_oldest_event_age_seconds`, read at scrape time with one
 * query that both gauges share. A relay that cannot publish shows as a growing age, which a
 * backlog that is merely busy does not.
 */
export function registerOutboxMetrics(metrics: ServiceMetrics, orm: MikroORM): void {
  const read = oncePerScrape(async (): Promise<OutboxBacklog> => {
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ pending: number | string; oldest: Date | string | number | null }[]>(
        'select count(*) as pending, min(created_at) as oldest from ficus_outbox where published_at is null',
        [],
        'all',
      );
    const oldest = row?.oldest == null ? null : new Date(row.oldest).getTime();
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000) };
  });
  const registers = [metrics.registry];
  new Gauge({
    name: 'outbox_backlog_events',
    help: 'Outbox rows not yet published to JetStream.',
    registers,
    async collect() {
      this.set((await read().catch(() => null))?.pending ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'outbox_oldest_event_age_seconds',
    help: 'Age of the oldest outbox row not yet published (0 when none waits).',
    registers,
    async collect() {
      this.set((await read().catch(() => null))?.oldestAgeSeconds ?? Number.NaN);
    },
  });
}

/** The gauges of one scrape share one read: a result is reused while it is younger than a second. */
function oncePerScrape<T>(read: () => Promise<T>, maxAgeMs = 1_000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > maxAgeMs) last = { at: now, value: read() };
    return last.value;
  };
}
