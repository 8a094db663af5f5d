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

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  emit(sql: string): void {
    for (const listener of this.listeners) listener(sql);
  }
}

/**
 * Sends mikro-orm's output to pino (queries at debug level) and to a `QueryLog`. Queries
 * are logged only while someone reads them: mikro-orm renders every statement for the log
 * (placeholders, timing text) before handing it over, on every query of every request.
 */
class OrmLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly logger: Logger,
    private readonly queries: QueryLog,
  ) {
    super({ ...options, debugMode: ['query'] });
  }

  override isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    if (namespace === 'query') return this.queries.hasListeners || this.logger.isLevelEnabled('debug');
    return super.isEnabled(namespace, context);
  }

  override logQuery(context: { query: string } & LogContext): void {
    if (!this.isEnabled('query', context)) return;
    this.queries.emit(context.query);
    this.logger.debug({ sql: context.query, took: context.took }, 'sql');
  }

  override log(namespace: LoggerNamespace | string, message: string, _context?: LogContext): void {
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
