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
});
