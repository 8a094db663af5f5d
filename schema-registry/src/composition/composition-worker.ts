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
const work = new CompositionWork();
port.on('message', (message: { id: number; task: CompositionTask }) => {
  work
    .run(message.task, (progress) => port.postMessage({ id: message.id, progress }))
    .then(
      (result) => port.postMessage({ id: message.id, ok: true, result }),
      (err: unknown) => port.postMessage({ id: message.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
    )
    // After the answer is sent: what a later task would otherwise wait for.
    .then(() => setImmediate(() => work.settle()));
});
