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
  it.each([
    ['sqlite', 'libsql'],
    ['postgres', 'postgresql'],
  ] as const)('is the one its database uses (%s: %s alone), and periodic jobs still run', async (kind, driver) => {
    const db = await createTestDatabase(kind, 'drivers');
    try {
      expect(await driversLoadedBy(db)).toEqual({ job: { ran: true, result: 'swept' }, drivers: [driver] });
    } finally {
      await db.drop();
    }
  });
});
