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

  it('writes values too long to keep their statement without preparing one, and reports the rows changed and the id inserted', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    const held = await knex.client.acquireConnection();
    const prepare = jest.spyOn(Object.getPrototypeOf(held) as { prepare(sql: string): unknown }, 'prepare');
    await knex.client.releaseConnection(held);
    // A second pool: its connection is set up with the spied `prepare`.
    const second = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
    try {
      const connection = second.em.getConnection();
      await connection.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0)');
      const bodies = ['a'.repeat(20_000), 'b'.repeat(300_000)];
      const inserted = [];
      for (const body of bodies) inserted.push(await connection.execute('INSERT INTO notes (body) VALUES (?)', [body], 'run'));
      const updated = await connection.execute(`UPDATE notes SET seen = 1 WHERE body <> ?`, ['c'.repeat(10_000)], 'run');
      const rows = await connection.execute<{ id: number; length: number; seen: number }[]>('SELECT id, length(body) AS length, seen FROM notes ORDER BY id');

      expect(inserted.map((r) => [r.affectedRows, r.insertId])).toEqual([[1, 1], [1, 2]]);
      expect(updated.affectedRows).toBe(2);
      expect(rows).toEqual([{ id: 1, length: 20_000, seen: 1 }, { id: 2, length: 300_000, seen: 1 }]);
      const preparedLengths = prepare.mock.calls.map(([sql]) => sql.length);
      expect(preparedLengths.length).toBeGreaterThan(0);
      expect(Math.max(...preparedLengths)).toBeLessThan(8 * 1024);
    } finally {
      prepare.mockRestore();
      await second.close();
    }
  });
});
