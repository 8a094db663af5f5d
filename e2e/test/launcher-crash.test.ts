import { isPortOpen, startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { LauncherRun } from './launcher-harness';

describe('a launcher that dies without cleaning up', () => {
  let nats: TestNatsServer;
  let run: LauncherRun | undefined;

  beforeAll(async () => {
    nats = await startTestNatsServer();
  });

  afterAll(async () => {
    run?.dispose();
    await nats?.dispose();
  });

  it('leaves no service running: each one stops by itself once its launcher is gone', async () => {
    run = await LauncherRun.start('ficus-orphans-', nats.url);

    const killedAt = Date.now();
    run.killLauncher();
    for (const [name, port] of Object.entries(run.ports)) {
      await waitFor(async () => !(await isPortOpen(port)), { timeoutMs: 20_000, what: `${name} to stop after its launcher died` });
    }
    // A closed port is not enough: a process whose stop hangs would linger with it closed.
    await run.waitUntilNothingRunning(45_000);
    process.stdout.write(`launcher killed: every service process gone after ${Date.now() - killedAt} ms\n`);
  });
});
