import { DefaultLogger, LoggerNamespace, LogContext, LoggerOptions } from '@mikro-orm/core';
import type { Logger } from 'pino';

export type QueryListener = (sql: string) => void;

/** Lets tests and metrics observe each SQL statement a service runs. */
export class QueryLog {
  private readonly listeners = new Set<QueryListener>();

  subscribe(listener: QueryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(sql: string): void {
    for (const listener of this.listeners) listener(sql);
  }
}

/** Sends mikro-orm's output to pino (queries at debug level) and to a `QueryLog`. */
class OrmLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly logger: Logger,
    private readonly queries: QueryLog,
  ) {
    super({ ...options, debugMode: ['query'] });
  }

  override log(namespace: LoggerNamespace | string, message: string, context?: LogContext): void {
    if (namespace === 'query') {
      if (context?.query) this.queries.emit(context.query);
      this.logger.debug({ sql: context?.query, took: context?.took }, 'sql');
      return;
    }
    this.logger.info({ orm: namespace }, message);
  }

  override error(namespace: LoggerNamespace | string, message: string): void {
    this.logger.error({ orm: namespace }, message);
  }

  override warn(namespace: LoggerNamespace | string, message: string): void {
    this.logger.warn({ orm: namespace }, message);
  }
}

export function ormLoggerFactory(logger: Logger, queries: QueryLog) {
  return (options: LoggerOptions) => new OrmLogger(options, logger, queries);
}
