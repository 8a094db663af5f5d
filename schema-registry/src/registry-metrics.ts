import type { ServiceMetrics } from '@ficus/kit';
import { Counter, Gauge, Histogram } from 'prom-client';

export type PublishResult = 'published' | 'unchanged' | 'refused' | 'error';
export type CheckResult = 'passed' | 'failed' | 'error';
/** Why a composition worker was replaced with its task undone. */
export type WorkerStop = 'timeout' | 'died';
/** One composition worker's heap, in bytes. */
export interface WorkerHeap {
  usedBytes: number;
  limitBytes: number;
}

/** The registry's own series: publishes and checks by result, and how long composition takes. */
export class RegistryMetrics {
  private readonly publishes: Counter<'result'>;
  private readonly checks: Counter<'result'>;
  private readonly composition: Histogram<'result'>;
  private readonly checkDuration: Histogram<'result'>;
  private readonly queueLength: Gauge;
  private readonly workersReplaced: Counter<'reason'>;
  private readWorkerHeaps: () => Promise<WorkerHeap[]> = async () => [];

  constructor(service: ServiceMetrics) {
    const registers = [service.registry];
    this.publishes = new Counter({
      name: 'schema_registry_publishes_total',
      help: 'Subgraph publishes, by result: published, unchanged, refused (does not compose), error.',
      labelNames: ['result'],
      registers,
    });
    this.checks = new Counter({
      name: 'schema_registry_checks_total',
      help: 'Subgraph checks, by result: passed, failed (does not compose, or breaks operations in use), error.',
      labelNames: ['result'],
      registers,
    });
    this.composition = new Histogram({
      name: 'schema_registry_composition_duration_seconds',
      help: 'Time to compose a variant with a proposed subgraph (publish or check), waiting for a composition worker included, by result: composed or failed.',
      labelNames: ['result'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.checkDuration = new Histogram({
      name: 'schema_registry_check_duration_seconds',
      help: 'Time to run a subgraph check end to end (queue wait, composition, diff, usage), by result: passed, failed, error.',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.queueLength = new Gauge({
      name: 'schema_registry_composition_queue_length',
      help: 'Compositions (publishes and checks) waiting for a composition worker.',
      registers,
    });
    this.workersReplaced = new Counter({
      name: 'schema_registry_composition_workers_replaced_total',
      help: 'Composition workers replaced with their task undone, by reason: timeout (COMPOSITION_TIMEOUT_MS), died (out of memory, a crash).',
      labelNames: ['reason'],
      registers,
    });
    const readWorkerHeaps = () => this.readWorkerHeaps();
    // Registered, and read at each scrape: nothing sets it in between.
    new Gauge({
      name: 'schema_registry_composition_worker_heap_bytes',
      help: "Each composition worker's heap, read at each scrape: used, and limit (old generation plus young, COMPOSITION_WORKER_MAX_HEAP_MB and COMPOSITION_WORKER_SEMI_SPACE_MB).",
      labelNames: ['worker', 'measure'],
      registers,
      async collect() {
        this.reset();
        (await readWorkerHeaps()).forEach((heap, index) => {
          const worker = String(index);
          this.set({ worker, measure: 'used' }, heap.usedBytes);
          this.set({ worker, measure: 'limit' }, heap.limitBytes);
        });
      },
    });
  }

  /** Where the worker-heap gauge reads the composition workers' heaps from. */
  watchWorkerHeaps(read: () => Promise<WorkerHeap[]>): void {
    this.readWorkerHeaps = read;
  }

  published(result: PublishResult): void {
    this.publishes.inc({ result });
  }

  /** Counts a check and records how long it took, from `startedAt` (a `performance.now()`). */
  checked(result: CheckResult, startedAt?: number): void {
    this.checks.inc({ result });
    if (startedAt !== undefined) this.checkDuration.observe({ result }, (performance.now() - startedAt) / 1000);
  }

  compositionQueue(length: number): void {
    this.queueLength.set(length);
  }

  workerReplaced(reason: WorkerStop): void {
    this.workersReplaced.inc({ reason });
  }

  /** Runs a composition and records its duration. */
  async composed<T extends { ok: boolean }>(compose: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const outcome = await compose();
    this.composition.observe({ result: outcome.ok ? 'composed' : 'failed' }, (performance.now() - started) / 1000);
    return outcome;
  }
}
