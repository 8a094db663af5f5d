import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { CompositionTask, CompositionWork } from './composition-work';

/**
 * The worker's thread yields the CPU to the event loop's: a composition takes seconds of a core,
 * and on a busy machine the event loop waited behind it for a time slice, so `/health`, long-polls
 * and usage reports answered late. On Linux the niceness set here is this thread's alone.
 */
const compositionNiceness = 10;

/** The worker thread's side of the composition pool: one task at a time, answered (and its progress told) by id. */
const port = parentPort;
if (!port) throw new Error('composition-worker runs as a worker thread');
try {
  setPriority(compositionNiceness);
} catch {
  // Where the platform refuses it, compositions run at the event loop's priority, as before.
}
/**
 * How long the worker stays idle before it settles (builds the last composed supergraph's API
 * schema). Publishes come in bursts (a deploy publishing each subgraph in turn), each replacing
 * the last one's supergraph: settling between them only held up the next publish, by a fifth of
 * a second on a 40-subgraph graph. A check that comes sooner builds it itself, as it would have
 * waited for it.
 */
const settleWhenIdleForMs = 1_000;

const work = new CompositionWork();
let settling: NodeJS.Timeout | undefined;
port.on('message', (message: { id: number; task: CompositionTask }) => {
  clearTimeout(settling);
  work
    .run(message.task, (progress) => port.postMessage({ id: message.id, progress }))
    .then(
      (result) => port.postMessage({ id: message.id, ok: true, result }),
      (err: unknown) => port.postMessage({ id: message.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
    )
    // After the answer is sent, once no task follows: what a later task would otherwise wait for.
    .then(() => {
      settling = setTimeout(() => work.settle(), settleWhenIdleForMs);
    });
});
