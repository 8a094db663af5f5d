import { currentTraceId } from '../telemetry/tracing';

const traceparentFormat = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The trace id a request's log lines carry: the active span's when the process traces itself,
 * else the one of the W3C `traceparent` it came with; null without either.
 */
export function traceIdOf(req: { header(name: string): string | undefined }): string | null {
  return currentTraceId() ?? traceIdOfTraceparent(req.header('traceparent'));
}

/** The trace id of a well-formed `traceparent` (the all-zero id is invalid), else null. */
export function traceIdOfTraceparent(traceparent: string | null | undefined): string | null {
  if (!traceparent) return null;
  const match = traceparentFormat.exec(traceparent);
  return match && match[1] !== '00000000000000000000000000000000' ? match[1]! : null;
}
