import fs from 'node:fs';
import tls from 'node:tls';
import { z } from 'zod';
import { ConfigError } from './parse-config';

/**
 * How a service reaches its database, beyond where it is: who migrates it, how many
 * connections it holds, whether they use TLS.
 */
export interface DatabaseAccess {
  /**
   * DATABASE_MIGRATE: `on-start` creates the database if missing and applies pending
   * migrations at start (one command locally); `never` does neither and refuses to start
   * unless the schema is at the latest migration (a runtime role without DDL rights,
   * migrations run beforehand with `<service> migrate`).
   */
  migrate: 'on-start' | 'never';
  /** DATABASE_POOL_MAX: most PostgreSQL connections the service holds. */
  poolMax: number;
  ssl: DatabaseSsl;
}

/**
 * DATABASE_SSL: `disable` (plain TCP), `require` (TLS, certificate not checked), `verify-full`
 * (TLS, certificate checked against DATABASE_SSL_CA or the system's CAs, host name included).
 */
export type DatabaseSsl = { mode: 'disable' } | { mode: 'require' } | { mode: 'verify-full'; ca: string | null };

export const databaseAccessEnv = {
  DATABASE_MIGRATE: z.enum(['on-start', 'never']).default('on-start'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1_000).default(10),
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  // Read here so that a missing or unreadable file is reported with the other variables.
  DATABASE_SSL_CA: z
    .string()
    .transform((file, ctx) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        return z.NEVER;
      }
    })
    .optional(),
};

type ParsedAccess = {
  DATABASE_MIGRATE: DatabaseAccess['migrate'];
  DATABASE_POOL_MAX: number;
  DATABASE_SSL: DatabaseSsl['mode'];
  DATABASE_SSL_CA?: string;
};

/** Builds the access settings from the parsed variables; a CA without verification is refused, not ignored. */
export function databaseAccessOf(parsed: ParsedAccess): DatabaseAccess {
  if (parsed.DATABASE_SSL_CA !== undefined && parsed.DATABASE_SSL !== 'verify-full') {
    throw new ConfigError(['DATABASE_SSL_CA: only used with DATABASE_SSL=verify-full']);
  }
  const ssl: DatabaseSsl =
    parsed.DATABASE_SSL === 'verify-full' ? { mode: 'verify-full', ca: parsed.DATABASE_SSL_CA ?? null } : { mode: parsed.DATABASE_SSL };
  return { migrate: parsed.DATABASE_MIGRATE, poolMax: parsed.DATABASE_POOL_MAX, ssl };
}

/**
 * The `ssl` option of node-postgres for these settings, connecting to `url`'s host. The host
 * name is checked here: node-postgres checks an IP address host against "localhost".
 */
export function pgSslOptions(
  ssl: DatabaseSsl,
  url: string,
): false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: typeof tls.checkServerIdentity } {
  if (ssl.mode === 'disable') return false;
  if (ssl.mode === 'require') return { rejectUnauthorized: false };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return {
    rejectUnauthorized: true,
    ...(ssl.ca ? { ca: ssl.ca } : {}),
    checkServerIdentity: (_servername, cert) => tls.checkServerIdentity(host, cert),
  };
}

/** What a service gets when nothing is set: migrate at start, ten connections, no TLS. */
export const defaultDatabaseAccess: DatabaseAccess = { migrate: 'on-start', poolMax: 10, ssl: { mode: 'disable' } };
