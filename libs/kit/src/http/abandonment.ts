import type { ServerResponse } from 'node:http';

/** Aborted when the client closes the connection before the response is complete: the work it waits for can be dropped. */
export function abandonmentOf(res: ServerResponse): AbortSignal {
  const abandoned = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abandoned.abort();
  });
  return abandoned.signal;
}
