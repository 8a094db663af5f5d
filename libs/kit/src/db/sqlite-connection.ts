/**
 * Settings of each SQLite connection, set as it opens: mikro-orm's libsql dialect opens a new
 * connection when the one it holds is older than 10 s, and a pragma set once on the first would
 * be gone from the next.
 */
const pragmas = [
  // WAL lets readers (backups, operators, benchmarks) in beside the service's single writer.
  'journal_mode = WAL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  // synchronous stays FULL: with NORMAL a power cut can take back the last commits, and a
  // service's outbox may already have published their events. It cost ingestion little.
  // The log is copied into the database every 10,000 pages (40 MiB) rather than 1,000: a page
  // written by several transactions in between is copied once.
  'wal_autocheckpoint = 10000',
  // 8 MiB of pages (the default is 2 MiB). For the registry's usage ingestion 32 MiB saved no
  // CPU measurably beyond 8 MiB (both a few per cent, within the noise) and added 25 MB of memory.
  'cache_size = -8192',
];

/**
 * Prepared statements kept per connection, the most recently used. A kept statement holds what
 * was last bound to it and read through it natively: on the registry's bench (40 publishes of
 * 1 MB supergraphs, 100,000 operations ingested), 64 kept held 84–93 MB of malloc'd memory, 16
 * held 55–71 MB and 4 held 55–58 MB, with the same timings; 16 covers a service's hot statements.
 */
const statementsKept = 16;

/**
 * SQL longer than this is not kept prepared. mikro-orm writes every parameter into the query's
 * text, so a long statement is one that carries large values (a 1 MB supergraph, a usage batch)
 * and is never run again: kept, it would hold its text twice natively and push out the hot ones.
 */
const longSqlChars = 8 * 1024;

interface LibSqlStatement {
  run(...bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...bindings: unknown[]): unknown;
}

interface LibSqlConnection {
  exec(sql: string): unknown;
  prepare(sql: string): LibSqlStatement;
}

/**
 * Keeps the connection's most recently used statements prepared. The dialect prepares every
 * query anew, and libsql frees a statement, with its text and the copy of the values bound to
 * it, only when the garbage collector gets to its small JavaScript object: a service writing large
 * values (the registry's usage batches, 0.6 MB each) held hundreds of megabytes it no longer
 * used. A statement kept is bound again by the next query of the same text, which also skips
 * preparing it; a long one is run without a statement that outlives it (`runOnce`).
 */
function keepStatements(connection: LibSqlConnection): void {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, LibSqlStatement>();
  const prepareKept = (sql: string): LibSqlStatement => {
    let statement = kept.get(sql);
    if (statement) kept.delete(sql);
    else statement = prepare(sql);
    kept.set(sql, statement);
    if (kept.size > statementsKept) kept.delete(kept.keys().next().value!);
    return statement;
  };
  connection.prepare = (sql: string) => (sql.length > longSqlChars ? runOnce(sql, connection, prepare, prepareKept) : prepareKept(sql));
}

/**
 * A statement whose `run` without bindings (a write with its values in its text) goes through
 * `exec`, which frees what SQLite compiled as soon as it is done, and reads the outcome `run`
 * reports from the connection. Anything else prepares it as usual.
 */
function runOnce(
  sql: string,
  connection: LibSqlConnection,
  prepare: (sql: string) => LibSqlStatement,
  prepareKept: (sql: string) => LibSqlStatement,
): LibSqlStatement {
  let statement: LibSqlStatement | undefined;
  const prepared = () => (statement ??= prepare(sql));
  return new Proxy({} as LibSqlStatement, {
    get(_target, key) {
      if (key === 'run') {
        return (...bindings: unknown[]) => {
          if (bindings.flat().length > 0) return prepared().run(...bindings);
          connection.exec(sql);
          return prepareKept(lastRunOutcome).get();
        };
      }
      const value = prepared()[key as keyof LibSqlStatement] as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(prepared()) : value;
    },
  });
}

const lastRunOutcome = 'SELECT changes() AS changes, last_insert_rowid() AS lastInsertRowid';

/** The pool's `afterCreate` for libsql connections: pragmas, and statements kept prepared. */
export function setUpSqliteConnection(connection: LibSqlConnection, done: (err: Error | null, connection: unknown) => void): void {
  try {
    for (const pragma of pragmas) connection.exec(`PRAGMA ${pragma}`);
    keepStatements(connection);
    done(null, connection);
  } catch (err) {
    done(err as Error, connection);
  }
}
