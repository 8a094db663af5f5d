import type { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/postgresql';

export type ExclusiveRun<T> = { ran: true; result: T } | { ran: false };

/**
 * Runs a periodic job's `work` unless another instance of the service is running the same job
 * now, in which case it returns `{ ran: false }` at once.
 *
 * On PostgreSQL the job holds a transaction-level advisory lock (`pg_try_advisory_xact_lock`)
 * on a connection of its own while `work` runs: it is released at commit, and by the server
 * if the process dies, so a crashed instance never keeps the others from the job. `work`
 * uses its own connections: the lock's transaction only holds the lock.
 * On SQLite there is one process per database file, so the job always runs.
 */
export async function runOnOneInstance<T>(orm: MikroORM, jobName: string, work: () => Promise<T>): Promise<ExclusiveRun<T>> {
  // Asked of knex, not by `instanceof`, so that a SQLite service does not load PostgreSQL's driver.
  const driver = orm.em.getDriver() as AbstractSqlDriver;
  if (driver.getConnection().getKnex().client.dialect !== 'postgresql') return { ran: true, result: await work() };
  // Knex's own transaction, not the ORM's: the ORM's would make itself the context of `work`'s entity managers.
  return driver
    .getConnection()
    .getKnex()
    .transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { locked: boolean }[] }>('select pg_try_advisory_xact_lock(hashtext(?)) as locked', [
        `ficus:${jobName}`,
      ]);
      if (!rows[0]?.locked) return { ran: false } as const;
      return { ran: true, result: await work() } as const;
    });
}
