import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';

const run = promisify(execFile);
const kitEntry = path.resolve(__dirname, '../dist/src/index.js');

/**
 * Opens the database in a fresh process with kit's built entry, runs a periodic job on it, and
 * answers which database drivers the process loaded.
 */
async function driversLoadedBy(db: TestDatabase): Promise<{ job: unknown; drivers: string[] }> {
  const script = `
    const { openDatabase, runOnOneInstance } = require(${JSON.stringify(kitEntry)});
    const logger = require('pino')({ level: 'silent' });
    (async () => {
      const orm = await openDatabase({ target: JSON.parse(process.argv[1]), entities: [], migrations: [], logger });
      const job = await runOnOneInstance(orm, 'cleanup', async () => 'swept');
      await orm.close();
      const drivers = Object.keys(require.cache).flatMap((file) => file.match(/@mikro-orm\\/(postgresql|libsql)\\/index\\.js$/)?.[1] ?? []);
      process.stdout.write(JSON.stringify({ job, drivers }));
    })().catch((err) => { console.error(err); process.exit(1); });
  `;
  const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(db.target)], { cwd: path.resolve(__dirname, '..') });
  return JSON.parse(stdout);
}

describe('the database driver a service loads', () => {
  it('is libsql alone for a SQLite database: PostgreSQL driver stays unloaded, and periodic jobs still run', async () => {
    const db = await createTestDatabase('sqlite', 'drivers');
    try {
      expect(await driversLoadedBy(db)).toEqual({ job: { ran: true, result: 'swept' }, drivers: ['libsql'] });
    } finally {
      await db.drop();
    }
  });

  it('is PostgreSQL alone for a PostgreSQL database, and periodic jobs take its advisory lock', async () => {
    const db = await createTestDatabase('postgres', 'drivers');
    try {
      expect(await driversLoadedBy(db)).toEqual({ job: { ran: true, result: 'swept' }, drivers: ['postgresql'] });
    } finally {
      await db.drop();
    }
  });
});
