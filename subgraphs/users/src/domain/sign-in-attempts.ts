import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';

/**
 * The `sign_in_attempts` table: one row per attempt and subject (an account, a client
 * address), kept when the attempt fails and deleted when it succeeds. SQL here, rules in
 * sign-in-throttle.ts. Each statement commits on its own, so every users process sharing the
 * database sees a row as soon as it is written. Times are ms since the epoch.
 */
export interface SubjectCount {
  subject: string;
  /** Rows in the window, attempts in flight included. */
  attempts: number;
  /** The oldest of them: the window frees one when it ages out. */
  oldestAt: number;
}

const table = 'sign_in_attempts';

/** Writes one row per subject; returns their ids. */
export async function recordAttempts(em: EntityManager, subjects: string[], at: number): Promise<string[]> {
  const ids = subjects.map(() => randomUUID());
  await execute(
    em,
    `insert into ${table} (id, subject, attempted_at) values ${subjects.map(() => '(?, ?, ?)').join(', ')}`,
    subjects.flatMap((subject, i) => [ids[i], subject, at]),
  );
  return ids;
}

export async function countAttempts(em: EntityManager, subjects: string[], since: number): Promise<SubjectCount[]> {
  const rows = await execute<{ subject: string; attempts: number | string; oldest_at: number | string }[]>(
    em,
    `select subject, count(*) as attempts, min(attempted_at) as oldest_at from ${table}` +
      ` where subject in (${subjects.map(() => '?').join(', ')}) and attempted_at > ? group by subject`,
    [...subjects, since],
    'all',
  );
  // PostgreSQL returns count(*) and bigint as strings.
  return rows.map((row) => ({ subject: row.subject, attempts: Number(row.attempts), oldestAt: Number(row.oldest_at) }));
}

/** Deletes the rows `ids`, and every row of `subjects` (an account cleared by a successful sign-in). */
export async function forgetAttempts(em: EntityManager, ids: string[], subjects: string[] = []): Promise<void> {
  const where = [`id in (${ids.map(() => '?').join(', ')})`];
  if (subjects.length > 0) where.push(`subject in (${subjects.map(() => '?').join(', ')})`);
  await execute(em, `delete from ${table} where ${where.join(' or ')}`, [...ids, ...subjects]);
}

/** Deletes rows that no window counts any more. */
export async function pruneAttempts(em: EntityManager, before: number): Promise<void> {
  await execute(em, `delete from ${table} where attempted_at <= ?`, [before]);
}

function execute<T = unknown>(em: EntityManager, sql: string, params: unknown[], method: 'all' | 'run' = 'run'): Promise<T> {
  return em.getConnection().execute(sql, params, method);
}
