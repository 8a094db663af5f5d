import type { Request } from 'express';

const traceparentFormat = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The trace id a request's log lines carry: for now the one of the W3C `traceparent` it came
 * with (the gateway forwards its caller's), null without one. The one function to replace
 * when the process traces itself and the active span knows the id.
 */
export function traceIdOf(req: Pick<Request, 'header'>): string | null {
  return traceIdOfTraceparent(req.header('traceparent'));
}

/** The trace id of a well-formed `traceparent` (the all-zero id is invalid), else null. */
export function traceIdOfTraceparent(traceparent: string | null | undefined): string | null {
  if (!traceparent) return null;
  const match = traceparentFormat.exec(traceparent);
  return match && match[1] !== '00000000000000000000000000000000' ? match[1]! : null;
}
