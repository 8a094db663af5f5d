const traceparentFormat = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The caller's W3C `traceparent`, if well formed; anything else is dropped rather than forwarded. */
export function traceparentOf(header: string | undefined): string | null {
  return header !== undefined && traceparentFormat.test(header) ? header : null;
}
