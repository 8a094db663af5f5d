import { parentPort } from 'node:worker_threads';
import { CompositionTask, CompositionWork } from './composition-work';

/** The worker thread's side of the composition pool: one task at a time, answered (and its progress told) by id. */
const port = parentPort;
if (!port) throw new Error('composition-worker runs as a worker thread');
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
