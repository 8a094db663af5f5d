import type { SubscriptionRecording } from './subscription-client';

export type HttpSubscriptionProtocol = 'sse' | 'multipart';

/** What one subscription over SSE or multipart HTTP has received so far. */
export interface HttpSubscriptionRecording<T = any> extends SubscriptionRecording<T> {
  /** Set once the response headers arrived. */
  status: number | null;
  contentType: string | null;
  /** Heartbeats seen: multipart `{}` parts, SSE comment lines. */
  heartbeats: number;
  /** Transport errors: multipart parts with `payload: null`. */
  transportErrors: SubscriptionRecording['errors'];
  /** Whether the response body has ended (after `complete` / `--graphql--`, or without them). */
  closed: boolean;
}

const accepts: Record<HttpSubscriptionProtocol, string> = {
  sse: 'text/event-stream',
  multipart: 'multipart/mixed;subscriptionSpec="1.0", application/json',
};

/**
 * POSTs a subscription with the protocol's Accept header and records the stream, read with
 * fetch and a body reader. A response that is not a stream (a refusal) ends the recording with
 * its JSON errors. `stop()` aborts the request, which closes the connection.
 */
export function recordHttpSubscription<T = any>(
  url: string,
  protocol: HttpSubscriptionProtocol,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpSubscriptionRecording<T> {
  const abort = new AbortController();
  const recording: HttpSubscriptionRecording<T> = {
    values: [],
    errors: [],
    transportErrors: [],
    completed: false,
    closed: false,
    status: null,
    contentType: null,
    heartbeats: 0,
    stop: () => abort.abort(),
  };
  const onResult = (result: { data?: T | null; errors?: SubscriptionRecording['errors'] }) => {
    if (result.data) recording.values.push(result.data);
    recording.errors.push(...(result.errors ?? []));
  };
  const parse = protocol === 'sse' ? sseParser(recording, onResult) : multipartParser(recording, onResult);

  void (async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: accepts[protocol], 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    recording.status = response.status;
    recording.contentType = response.headers.get('content-type');
    if (!recording.contentType?.startsWith(protocol === 'sse' ? 'text/event-stream' : 'multipart/mixed')) {
      const body = (await response.json()) as { errors?: SubscriptionRecording['errors'] };
      recording.errors.push(...(body.errors ?? []));
      return;
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(value);
    }
  })()
    .catch((err: Error) => {
      if (err.name !== 'AbortError') recording.transportErrors.push({ message: String(err) });
    })
    .finally(() => (recording.closed = true));
  return recording;
}

type ResultSink<T> = (result: { data?: T | null; errors?: SubscriptionRecording['errors'] }) => void;

/** graphql-sse "distinct connections": `event: next` with a result as data, then `event: complete`. */
function sseParser<T>(recording: HttpSubscriptionRecording<T>, onResult: ResultSink<T>): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) recording.heartbeats++;
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (event === 'next') onResult(JSON.parse(data.join('\n')));
      if (event === 'complete') recording.completed = true;
    }
  };
}

/**
 * Apollo's multipart subscriptions: JSON parts (`{}` heartbeats, `{payload}`) between `--graphql`
 * delimiters, ended by `--graphql--`. A part is taken only once the delimiter after it has come,
 * so a server that holds the delimiter back shows as a late event.
 */
function multipartParser<T>(recording: HttpSubscriptionRecording<T>, onResult: ResultSink<T>): (chunk: string) => void {
  const delimiter = '--graphql';
  const head = '\r\nContent-Type: application/json\r\n\r\n';
  let buffer = '';
  let started = false;
  return (chunk) => {
    buffer += chunk;
    if (!started) {
      const first = buffer.indexOf(delimiter);
      if (first < 0) return;
      buffer = buffer.slice(first + delimiter.length);
      started = true;
    }
    for (;;) {
      if (buffer.startsWith('--')) {
        recording.completed = true;
        return;
      }
      if (!buffer.startsWith(head)) {
        if (buffer.length >= head.length) throw new Error(`not a multipart part: ${JSON.stringify(buffer.slice(0, 80))}`);
        return;
      }
      const end = buffer.indexOf(`\r\n${delimiter}`, head.length);
      if (end < 0) return;
      const part = JSON.parse(buffer.slice(head.length, end));
      buffer = buffer.slice(end + 2 + delimiter.length);
      if (!('payload' in part)) recording.heartbeats++;
      else if (part.payload === null) recording.transportErrors.push(...part.errors);
      else onResult(part.payload);
    }
  };
}
