import { untilJetStreamAnswers } from './jetstream-answer';
import { Logger } from './logger';
import { JetStreamManager, RetentionPolicy, StorageType, StreamConfig } from '@nats-io/jetstream';

/** Dead-lettered events of every consumer land here, for operators to inspect and replay. */
export const DEAD_LETTER_STREAM = 'DEADLETTER';
export const DEAD_LETTER_SUBJECT_PREFIX = 'deadletter';

/** One stream per producing domain: `products` owns `PRODUCTS` holding `products.>`. */
export function streamNameFor(domain: string): string {
  return domain.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** A domain's events are kept for 7 days; publishes are de-duplicated on `Nats-Msg-Id` for 2 minutes. */
export function domainStreamConfig(domain: string): Partial<StreamConfig> & { name: string; subjects: string[] } {
  return {
    name: streamNameFor(domain),
    subjects: [`${domain}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 7 * 24 * 60 * 60 * 1e9,
    duplicate_window: 2 * 60 * 1e9,
  };
}

export function deadLetterStreamConfig(): Partial<StreamConfig> & { name: string; subjects: string[] } {
  return {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 30 * 24 * 60 * 60 * 1e9,
  };
}

export interface EnsureStreamOptions {
  /**
   * NATS_STREAM_REPLICAS: copies the cluster keeps (1 on a single server, 3 in a cluster).
   * Unset leaves an existing stream's replicas as they are and creates new ones with 1.
   */
  replicas?: number;
  /** Told when an existing stream's replicas cannot be brought to `replicas`, and of each wait for JetStream to answer. */
  logger?: Logger;
}

/**
 * Creates the stream, or brings an existing one's subjects and replicas up to date. Safe to
 * call from every replica. Waits while JetStream does not answer in time (`untilJetStreamAnswers`). A cluster that refuses the new replica count (too few servers,
 * an old server) leaves the stream as it is, with a warning: events still flow.
 */
export function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string; subjects: string[] },
  options: EnsureStreamOptions = {},
): Promise<void> {
  // Each step is safe to repeat: a stream added by a request that timed out is found the next time.
  return untilJetStreamAnswers(`stream ${config.name}`, () => ensureStreamOnce(jsm, config, options), options.logger);
}

async function ensureStreamOnce(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string; subjects: string[] },
  options: EnsureStreamOptions,
): Promise<void> {
  const wanted = options.replicas === undefined ? config : { ...config, num_replicas: options.replicas };
  try {
    const info = await jsm.streams.info(config.name);
    const missing = config.subjects.filter((s) => !info.config.subjects.includes(s));
    if (missing.length > 0) {
      await jsm.streams.update(config.name, { ...info.config, subjects: [...info.config.subjects, ...missing] });
    }
    if (options.replicas !== undefined && info.config.num_replicas !== options.replicas) {
      await changeReplicas(jsm, config.name, options.replicas, info.config.num_replicas, options.logger);
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add(wanted);
    } catch (addErr) {
      // Another replica created it between our look-up and add.
      if (!/already in use/i.test(String(addErr))) throw addErr;
    }
  }
}

async function changeReplicas(jsm: JetStreamManager, stream: string, replicas: number, current: number, logger?: Logger): Promise<void> {
  try {
    await jsm.streams.update(stream, { num_replicas: replicas });
    logger?.info({ stream, replicas, previousReplicas: current }, 'stream replicas changed');
  } catch (err) {
    logger?.warn({ err, stream, replicas, currentReplicas: current }, 'NATS refused to change the stream replicas; it keeps its current count');
  }
}

function isNotFound(err: unknown): boolean {
  return /not found/i.test(String((err as Error)?.message ?? err));
}
