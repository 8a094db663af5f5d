/** What a fixed number of requests came to. */
export interface LoadOutcome {
  sent: number;
  failed: number;
  /** The first failure, to say what went wrong. */
  firstFailure: string | null;
  wallMs: number;
}

/**
 * Sends `requests` requests, `concurrency` at a time, each as soon as one before it is answered;
 * stops early at `maxMs`. `send` resolves to null for a good answer, or what was wrong with it.
 */
export async function fixedLoad(send: () => Promise<string | null>, options: { requests: number; concurrency: number; maxMs: number }): Promise<LoadOutcome> {
  const started = Date.now();
  const deadline = started + options.maxMs;
  let next = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const worker = async () => {
    while (next < options.requests && Date.now() < deadline) {
      next += 1;
      const problem = await send().catch((err: Error) => String(err.cause ?? err));
      if (problem !== null) {
        failed += 1;
        firstFailure ??= problem;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { sent: next, failed, firstFailure, wallMs: Date.now() - started };
}
