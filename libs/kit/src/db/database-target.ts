import path from 'node:path';

/** Where a subgraph keeps its data: its own SQLite file, or its own PostgreSQL database. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * `DATABASE_URL` names the database outright. Otherwise `POSTGRES_URL` is a server from
 * which each subgraph derives its own database (`ficus_<service>`, `-` made `_`). Otherwise SQLite
 * under the data directory, so a fresh clone needs no database server.
 */
export function resolveDatabaseTarget(input: {
  serviceName: string;
  databaseUrl?: string;
  postgresUrl?: string;
  dataDir: string;
}): DatabaseTarget {
  const { serviceName, databaseUrl, postgresUrl, dataDir } = input;
  if (databaseUrl?.startsWith('file:')) return { kind: 'sqlite', path: path.resolve(databaseUrl.slice('file:'.length)) };
  if (databaseUrl) return { kind: 'postgres', url: databaseUrl };
  if (postgresUrl) {
    const url = new URL(postgresUrl);
    // A database name holds only letters, digits and _ (ensurePostgresDatabase): legacy-shop is ficus_legacy_shop.
    url.pathname = `/ficus_${serviceName.replaceAll('-', '_')}`;
    return { kind: 'postgres', url: url.toString() };
  }
  return { kind: 'sqlite', path: path.join(dataDir, `${serviceName}.sqlite`) };
}

/** A loggable description with no password in it. */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.path}`;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return url.toString();
}
