import { Logger } from './logger';

/** How long to wait before asking again after JetStream did not answer. */
const RETRY_AFTER_MS = 500;

/**
 * A JetStream API request made at start (ensure a stream, add a consumer), asked again for
 * as long as JetStream does not answer in time or says it is temporarily unavailable: a
 * cluster electing its leaders after losing a node, or one too busy to answer within the
 * API timeout. The service waits for it as it waits for its first connection, logging each
 * wait, instead of failing its start. Any other error (a refusal, JetStream not enabled) is thrown.
 */
export async function untilJetStreamAnswers<T>(what: string, request: () => Promise<T>, logger?: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (!isUnanswered(err)) throw err;
      logger?.warn({ what, attempt, reason: String((err as Error)?.message ?? err) }, 'waiting for JetStream to answer');
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    }
  }
}

function isUnanswered(err: unknown): boolean {
  const error = err as Error | undefined;
  return error?.name === 'TimeoutError' || /\btimeout\b|temporarily unavailable/i.test(String(error?.message ?? err));
}
