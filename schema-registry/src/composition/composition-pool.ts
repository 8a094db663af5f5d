import path from 'node:path';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { DomainError } from '@ficus/kit';
import type { RegistryMetrics, WorkerHeap, WorkerStop } from '../registry-metrics';
import type { CompositionTask, TaskProgress, TaskResult } from './composition-work';
import { FairQueue, QueueRefusal } from './fair-queue';

/** Where composition work runs; publishes and checks only know this. */
export interface Composer {
  /**
   * Runs a task after the tasks queued before it in its lane: the caller's (its API key's id).
   * `progress` hears what the task tells before it ends (`TaskProgress`).
   */
  run<T extends CompositionTask>(lane: string, task: T, progress?: (told: TaskProgress<T>) => void, options?: RunOptions): Promise<TaskResult<T>>;
}

export interface RunOptions {
  /**
   * The task is the next step of one already admitted (a check's usage evaluation after its
   * composition): it goes first in its lane and is never refused for a full queue, which would
   * throw away the composition it follows.
   */
  continuing?: boolean;
  /**
   * Aborted when nobody waits for the result any more (the client closed its connection): a task
   * still queued is dropped with REQUEST_ABANDONED; one a worker has begun runs to its end.
   */
  abandoned?: AbortSignal;
}

export interface CompositionPoolOptions {
  /** Worker threads composing side by side. */
  size: number;
  /** Tasks waiting for a worker beyond which new ones are refused with QUEUE_FULL. */
  maxQueued: number;
  /** Tasks one lane (caller) may have waiting: by default half of `maxQueued`, so one caller cannot fill the queue. */
  maxQueuedPerLane?: number;
  /** Each worker's old-generation heap limit; past it the worker dies and its task fails with WORKER_FAILED. */
  maxHeapMb?: number;
  /**
   * Each worker's semi-space size (its young generation is two of them). A composition's garbage is
   * about two fifths of its CPU, and larger semi-spaces let more of it die young; the event loop keeps
   * the smaller ones of the package's Node options.
   */
  semiSpaceMb?: number;
  /**
   * The longest one task may run in a worker; past it the worker is ended (and replaced) and the task
   * fails with COMPOSITION_TIMEOUT. Some shapes make composition quadratic (a type with 100,000
   * fields takes minutes), and a worker busy with one holds up every publish and check behind it.
   */
  taskTimeoutMs?: number;
  metrics?: RegistryMetrics;
}

interface Job {
  task: CompositionTask;
  progress?: (told: unknown) => void;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** Ends the running task at its deadline. */
  deadline?: NodeJS.Timeout;
}

function abandonedError(): DomainError {
  return new DomainError('REQUEST_ABANDONED', 'the client left before its composition began: it was dropped');
}

// Tests run the TypeScript sources; a worker thread runs the compiled file (`npm run build`).
const workerScript = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '../../dist/src/composition/composition-worker.js')
  : path.join(__dirname, 'composition-worker.js');

/**
 * Worker threads that compose, so a composition of a large graph (seconds of CPU) does not stall
 * the event loop: /health, long-polls and usage reports keep being answered. Each worker keeps
 * its caches (built subgraphs, API schemas) between tasks. A worker that dies, or whose task
 * outlasts `taskTimeoutMs`, fails its task and is replaced; `close` lets queued tasks finish,
 * then ends the workers.
 */
export class CompositionPool implements Composer {
  private readonly queue: FairQueue<Job>;
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closing = false;
  private drained: (() => void) | null = null;

  constructor(private readonly options: CompositionPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error('a composition pool needs at least one worker');
    this.queue = new FairQueue(options.maxQueued, options.maxQueuedPerLane ?? Math.ceil(options.maxQueued / 2));
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
    options.metrics?.watchWorkerHeaps(() => this.heapStatistics());
  }

  /** Closed once `close` has ended the workers: no slot is left to run a task. */
  private get closed(): boolean {
    return this.slots.length === 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  run<T extends CompositionTask>(lane: string, task: T, progress?: (told: TaskProgress<T>) => void, options: RunOptions = {}): Promise<TaskResult<T>> {
    if (this.closed || (this.closing && !options.continuing)) return Promise.reject(new DomainError('WORKER_FAILED', 'the registry is shutting down: composition is not taking new work'));
    const { abandoned } = options;
    if (abandoned?.aborted) return Promise.reject(abandonedError());
    return new Promise((resolve, reject) => {
      const drop = () => {
        if (!this.queue.remove(lane, job)) return;
        this.options.metrics?.compositionQueue(this.queue.length);
        reject(abandonedError());
      };
      const settled = () => abandoned?.removeEventListener('abort', drop);
      const job: Job = {
        task,
        progress: progress as ((told: unknown) => void) | undefined,
        resolve: (result) => (settled(), resolve(result as TaskResult<T>)),
        reject: (err) => (settled(), reject(err)),
      };
      if (options.continuing) this.queue.pushFirst(lane, job);
      else {
        const refused = this.queue.push(lane, job);
        if (refused) return reject(this.refusal(refused));
      }
      abandoned?.addEventListener('abort', drop, { once: true });
      this.options.metrics?.compositionQueue(this.queue.length);
      this.dispatch();
    });
  }

  private refusal(refused: QueueRefusal): DomainError {
    const { capacity, laneCapacity, length } = this.queue;
    const message =
      refused === 'queue-full'
        ? `${capacity} compositions are already waiting: retry later`
        : `this API key already has ${laneCapacity} compositions waiting, its share of the registry's queue (COMPOSITION_QUEUE_MAX=${capacity}): retry later`;
    return new DomainError('QUEUE_FULL', message, { queued: length });
  }

  /**
   * Each worker's heap: what it holds and the most it may grow to (old generation plus young, so the
   * semi-space size shows in it). A worker that is being replaced is left out.
   */
  async heapStatistics(): Promise<WorkerHeap[]> {
    const read = await Promise.all(this.slots.map((slot) => slot.worker.getHeapStatistics().catch(() => null)));
    return read.flatMap((heap) => (heap ? [{ usedBytes: heap.used_heap_size, limitBytes: heap.heap_size_limit }] : []));
  }

  /** Finishes the queued and running tasks (and the steps that continue them), then ends the workers. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.queue.length > 0 || this.slots.some((slot) => slot.job)) {
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    // V8 gives `--max-semi-space-size` (a process-wide flag) precedence over a worker's
    // `maxYoungGenerationSizeMb`, and reads it when an isolate's heap is set up: set here, it sizes
    // the worker about to start and leaves the event loop's heap, set up at the process's start, as
    // it is. Only this pool starts isolates.
    if (this.options.semiSpaceMb) v8.setFlagsFromString(`--max-semi-space-size=${this.options.semiSpaceMb}`);
    const worker = new Worker(workerScript, {
      resourceLimits: this.options.maxHeapMb ? { maxOldGenerationSizeMb: this.options.maxHeapMb } : {},
    });
    const slot: Slot = { worker, job: null };
    worker.unref();
    worker.on('message', (message: { progress?: unknown; ok?: boolean; result?: unknown; message?: string }) => {
      if ('progress' in message) {
        slot.job?.progress?.(message.progress);
        return;
      }
      const job = this.release(slot);
      if (message.ok) job?.resolve(message.result);
      else job?.reject(new Error(message.message));
      this.dispatch();
    });
    const died = (reason: string) => {
      const job = this.replace(slot, 'died');
      job?.reject(new DomainError('WORKER_FAILED', `the composition worker stopped (${reason}): this composition was not done; retry it`));
    };
    worker.on('error', (err) => {
      const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      died(outOfMemory ? `out of memory: the composition needs more than COMPOSITION_WORKER_MAX_HEAP_MB=${this.options.maxHeapMb} MB` : err.message);
    });
    worker.on('exit', (code) => died(`exit code ${code}`));
    return slot;
  }

  /** Ends a slot's task: its job, if it still had one. */
  private release(slot: Slot): Job | null {
    clearTimeout(slot.deadline);
    const job = slot.job;
    slot.job = null;
    return job;
  }

  /**
   * Puts a new worker in a slot whose worker died or is being ended, and hands it the next task:
   * the job the old one had, if any. A slot already replaced is left as it is (an ended worker
   * still reports its exit).
   */
  private replace(slot: Slot, reason: WorkerStop): Job | null {
    const index = this.slots.indexOf(slot);
    if (index < 0) return null;
    this.options.metrics?.workerReplaced(reason);
    const job = this.release(slot);
    this.slots[index] = this.spawn();
    this.dispatch();
    return job;
  }

  private timedOut(slot: Slot): void {
    void slot.worker.terminate();
    const job = this.replace(slot, 'timeout');
    const seconds = (this.options.taskTimeoutMs ?? 0) / 1000;
    job?.reject(
      new DomainError(
        'COMPOSITION_TIMEOUT',
        `composition took longer than ${seconds} s (COMPOSITION_TIMEOUT_MS) and was stopped: nothing was published or checked. A schema this large or this shaped (a type with tens of thousands of fields) needs a larger limit`,
      ),
    );
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) break;
      this.options.metrics?.compositionQueue(this.queue.length);
      slot.job = job;
      if (this.options.taskTimeoutMs) slot.deadline = setTimeout(() => this.timedOut(slot), this.options.taskTimeoutMs).unref();
      slot.worker.postMessage({ id: this.nextId++, task: job.task });
    }
    if (this.drained && this.queue.length === 0 && this.slots.every((slot) => !slot.job)) {
      this.drained();
      this.drained = null;
    }
  }
}
