import pino, { Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout, one line per event, with the service name on every line. Written
 * synchronously: pino's asynchronous destination flushes what it holds when the process
 * exits and, when stdout's reader is gone (EPIPE), retries it forever, so a service whose
 * launcher died could never exit. A synchronous write that fails with EPIPE stops logging.
 */
export function createLogger(service: string, level: string): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', '*.password'], censor: '[redacted]' },
      serializers: { err: boundedError },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** The most of an error's message or stack a log line carries. */
export const maxLoggedErrorText = 4000;

/**
 * pino's error serializer, with message and stack cut to `maxLoggedErrorText` characters. A
 * database driver's error repeats the failed statement, which for a batch insert carries the
 * batch's rows: megabytes on one log line.
 */
function boundedError(err: unknown): unknown {
  // Some callers log `err: String(err)`.
  if (typeof err === 'string') return clipped(err);
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  if (!serialized || typeof serialized !== 'object') return serialized;
  const fields = serialized as Record<string, unknown>;
  for (const key of ['message', 'stack']) fields[key] = clipped(fields[key]);
  return fields;
}

function clipped(text: unknown): unknown {
  if (typeof text !== 'string' || text.length <= maxLoggedErrorText) return text;
  return `${text.slice(0, maxLoggedErrorText)}… (${text.length - maxLoggedErrorText} more characters)`;
}
