import { spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@ficus/testkit';

/**
 * A service's stdout is a pipe to whoever started it (the launcher, a supervisor). When that
 * reader is gone, writing fails with EPIPE; exiting must still end the process instead of
 * retrying the lost lines forever (as pino's asynchronous destination does at exit).
 */
describe('createLogger', () => {
  it('lets a process exit after the reader of its stdout has gone away', async () => {
    const logger = path.resolve(__dirname, '../dist/src/logger.js');
    const script = `
      const logger = require(${JSON.stringify(logger)}).createLogger('test', 'info');
      process.stdin.once('data', () => {
        for (let i = 0; i < 100; i++) logger.info({ i }, 'a line nobody reads');
        process.exit(0);
      });
      process.stdin.resume();
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    try {
      child.stdout.destroy();
      child.stdin.write('go\n');

      await waitFor(() => exitCode !== undefined, { what: 'the process to exit', timeoutMs: 10_000 });
      expect(exitCode).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('cuts an error message or stack longer than 4,000 characters, saying how much it left out', async () => {
    const logger = path.resolve(__dirname, '../dist/src/logger.js');
    // A driver's error repeats the failed statement: here a batch insert of 100,000 rows.
    const script = `
      const logger = require(${JSON.stringify(logger)}).createLogger('test', 'info');
      const statement = 'insert into usage values ' + '(1, 2, 3), '.repeat(100000);
      logger.error({ err: new Error(statement + ' - SQLITE_CONSTRAINT') }, 'insert failed');
      logger.warn({ err: String(new Error(statement)) }, 'as a string');
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));

    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(10_000);
    const logged = JSON.parse(lines[0]!);
    expect(logged).toMatchObject({ level: 'error', msg: 'insert failed' });
    expect(logged.err.message).toMatch(/^insert into usage values \(1, 2, 3\)/);
    expect(logged.err.message).toMatch(/… \(\d+ more characters\)$/);
    expect(logged.err.message.length).toBeLessThan(4100);
    expect(logged.err.stack.length).toBeLessThan(4100);
    expect(JSON.parse(lines[1]!).err).toMatch(/^Error: insert into usage values .*… \(\d+ more characters\)$/);
  });
});
