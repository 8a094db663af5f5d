import { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';
import pino from 'pino';
import { openDatabase } from '../src';

const logger = pino({ level: 'silent' });

describe('a SQLite connection', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'sqlite_connection');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  const pragma = async (name: string) => {
    const [row] = (await (orm.em as SqlEntityManager).getKnex().raw(`PRAGMA ${name}`)) as Record<string, unknown>[];
    // The row's one column (busy_timeout answers as `timeout`).
    return Object.values(row!)[0];
  };

  it('runs in WAL mode with synchronous FULL, a busy timeout, foreign keys and an 8 MiB cache', async () => {
    expect([await pragma('journal_mode'), await pragma('synchronous'), await pragma('busy_timeout'), await pragma('foreign_keys'), await pragma('cache_size')]).toEqual([
      'wal',
      2,
      5000,
      1,
      -8192,
    ]);
  });

  it('answers a statement it keeps prepared with the values bound each time', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    const sum = async (values: number[]) => ((await knex.raw('SELECT sum(value) AS total FROM json_each(?)', [JSON.stringify(values)])) as { total: number }[])[0]!.total;
    expect([await sum([1, 2]), await sum([3, 4, 5]), await sum([6])]).toEqual([3, 12, 6]);
  });
});
