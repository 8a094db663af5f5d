import type { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';

/** The database's schema is behind the service's code: its migrations have not been run. */
export class SchemaNotMigratedError extends Error {
  constructor(
    readonly database: string,
    readonly pending: string[],
    cause?: string,
  ) {
    super(
      `the schema of ${database} is not at the latest migration (${pending.length} pending: ${pending.join(', ')})` +
        `${cause ? `; ${cause}` : ''}. DATABASE_MIGRATE=never: run the service with the \`migrate\` argument first ` +
        '(a role allowed to change the schema), or start it with DATABASE_MIGRATE=on-start',
    );
    this.name = 'SchemaNotMigratedError';
  }
}

/**
 * The migrations of `expected` not recorded in mikro-orm's migrations table, read only: the
 * migrator's own listing would create that table, which a runtime role may not do.
 */
export async function pendingMigrations(orm: MikroORM, expected: string[]): Promise<{ pending: string[]; cause?: string }> {
  const storage = orm.getMigrator<Migrator>().getStorage();
  let applied: Set<string>;
  try {
    applied = new Set((await storage.getExecutedMigrations()).map((row) => storage.getMigrationName(row.name)));
  } catch (err) {
    if (!neverMigrated(err)) throw err;
    return { pending: expected, cause: `its migrations table cannot be read: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  return { pending: expected.filter((name) => !applied.has(name)) };
}

/** No database yet (PostgreSQL 3D000) or no migrations table in it (42P01, SQLite's "no such table"). */
function neverMigrated(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return code === '3D000' || code === '42P01' || /no such table/i.test(message ?? '');
}
