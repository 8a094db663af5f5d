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

interface LibSqlConnection {
  exec(sql: string): unknown;
  prepare(sql: string): unknown;
}

/**
 * Keeps the connection's most recently used statements prepared. The dialect prepares every
 * query anew, and libsql frees a statement, with the copy of the values bound to it, only when
 * the garbage collector gets to its small JavaScript object: a service writing large values
 * (the registry's usage batches, 0.6 MB each) held hundreds of megabytes it no longer used. A
 * statement kept is bound again by the next query of the same text, which also skips preparing it.
 */
function keepStatements(connection: LibSqlConnection): void {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement) kept.delete(sql);
    else statement = prepare(sql);
    kept.set(sql, statement);
    if (kept.size > statementsKept) kept.delete(kept.keys().next().value!);
    return statement;
  };
}

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
