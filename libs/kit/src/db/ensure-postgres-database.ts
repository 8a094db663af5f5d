import { Client } from 'pg';
import { DatabaseSsl, pgSslOptions } from '../config/database-access';

/**
 * Creates the PostgreSQL database named by `url` if it does not exist yet (from the
 * `postgres` maintenance database). Only when migrating: a runtime role never creates one.
 */
export async function ensurePostgresDatabase(url: string, ssl: DatabaseSsl = { mode: 'disable' }): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" may hold only letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), ssl: pgSslOptions(ssl, url) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        // 42P04: created concurrently by another process.
        if (err.code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}
