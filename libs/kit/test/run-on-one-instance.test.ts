import { MikroORM } from '@mikro-orm/core';
import { createTestDatabase, TestDatabase, waitFor } from '@ficus/testkit';
import pino from 'pino';
import { openDatabase, runOnOneInstance } from '../src';

const logger = pino({ level: 'silent' });

/** Work that stays running until `finish()`. */
function heldWork() {
  let finish!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    get started() {
      return started;
    },
    finish: () => finish(),
    run: async () => {
      started = true;
      await done;
      return 'swept';
    },
  };
}

describe('a periodic job on two instances sharing one PostgreSQL database', () => {
  let db: TestDatabase;
  let instanceA: MikroORM;
  let instanceB: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'one_instance');
    // One pool each, as two processes would have.
    instanceA = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
    instanceB = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await instanceA?.close();
    await instanceB?.close();
    await db?.drop();
  });

  it('runs on one instance at a time: the other skips its tick while the first is still running', async () => {
    const work = heldWork();
    const onA = runOnOneInstance(instanceA, 'cleanup', work.run);
    await waitFor(() => work.started, { what: 'instance A to start the job' });

    let ranOnB = false;
    const onB = await runOnOneInstance(instanceB, 'cleanup', async () => (ranOnB = true));
    work.finish();

    expect(onB).toEqual({ ran: false });
    expect(ranOnB).toBe(false);
    expect(await onA).toEqual({ ran: true, result: 'swept' });
  });

  it('lets the next tick run anywhere once the running one has ended, and keeps different jobs apart', async () => {
    const work = heldWork();
    const cleanupOnA = runOnOneInstance(instanceA, 'cleanup', work.run);
    await waitFor(() => work.started, { what: 'instance A to start the job' });

    expect(await runOnOneInstance(instanceB, 'reindex', async () => 'reindexed')).toEqual({ ran: true, result: 'reindexed' });
    work.finish();
    await cleanupOnA;
    expect(await runOnOneInstance(instanceB, 'cleanup', async () => 'swept on B')).toEqual({ ran: true, result: 'swept on B' });
  });

  it('releases the lock when the job fails, so a later tick runs', async () => {
    await expect(runOnOneInstance(instanceA, 'cleanup', async () => Promise.reject(new Error('sweep failed')))).rejects.toThrow('sweep failed');
    expect(await runOnOneInstance(instanceB, 'cleanup', async () => 'recovered')).toEqual({ ran: true, result: 'recovered' });
  });
});

describe('a periodic job on SQLite', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'one_instance');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('always runs, since one process owns the database file', async () => {
    expect(await runOnOneInstance(orm, 'cleanup', async () => 'swept')).toEqual({ ran: true, result: 'swept' });
  });
});
