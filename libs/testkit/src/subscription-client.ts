import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** What one subscription has received so far, for tests to wait on. */
export interface SubscriptionRecording<T = any> {
  /** Each `next` payload's `data`. */
  values: T[];
  /** GraphQL errors (from `next` without data, or an `error` message), or what ended the socket. */
  errors: { message?: string; extensions?: { code?: string }; code?: number; reason?: string }[];
  completed: boolean;
  /** Ends the subscription from the client's side. */
  stop(): void;
}

/** A graphql-ws (`graphql-transport-ws`) client that never retries, so a dropped server shows as an error. */
export function webSocketClient(httpUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Starts a subscription and records what arrives; `extensions` go in its subscribe message. */
export function recordSubscription<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  extensions?: Record<string, unknown>,
): SubscriptionRecording<T> {
  const recording: SubscriptionRecording<T> = { values: [], errors: [], completed: false, stop: () => undefined };
  recording.stop = client.subscribe<T>(
    { query, variables, extensions },
    {
      next: (value) => {
        if (value.data) recording.values.push(value.data as T);
        else recording.errors.push(...((value.errors ?? []) as SubscriptionRecording['errors']));
      },
      error: (err) => void recording.errors.push(...(Array.isArray(err) ? err : [err as SubscriptionRecording['errors'][number]])),
      complete: () => void (recording.completed = true),
    },
  );
  return recording;
}
