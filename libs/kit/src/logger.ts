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
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
