import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPortOpen, startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { repoRoot } from '../src/repo';
import { freeStackPorts, launcherEnv } from './launcher-env';

describe('a launcher that dies without cleaning up', () => {
  let nats: TestNatsServer;
  let dataDir: string;
  let launcher: ChildProcess | undefined;
  let ports: Record<string, number> = {};

  beforeAll(async () => {
    nats = await startTestNatsServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-orphans-'));
    ports = await freeStackPorts();
  });

  afterAll(async () => {
    if (launcher?.exitCode === null) launcher.kill('SIGKILL');
    await nats?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no service running: each one stops by itself once its launcher is gone', async () => {
    let output = '';
    launcher = spawn(process.execPath, [path.join(repoRoot(), 'e2e', 'dist', 'src', 'start.js')], {
      env: launcherEnv({ dataDir, natsUrl: nats.url, ports }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('Press Ctrl-C'), { timeoutMs: 120_000, intervalMs: 100, what: `the stack to be ready: ${output}` });

    const killedAt = Date.now();
    launcher.kill('SIGKILL');
    for (const [name, port] of Object.entries(ports)) {
      await waitFor(async () => !(await isPortOpen(port)), { timeoutMs: 20_000, what: `${name} to stop after its launcher died` });
    }
    // A closed port is not enough: a process whose stop hangs would linger with it closed.
    await waitFor(() => processesWithDataDir(dataDir).length === 0, {
      timeoutMs: 45_000,
      what: `every service process to exit: ${processesWithDataDir(dataDir).join(', ')}`,
    });
    process.stdout.write(`launcher killed: every service process gone after ${Date.now() - killedAt} ms\n`);
  });
});

/** Pids of the processes started with this DATA_DIR, read from /proc (the tests run on Linux). */
function processesWithDataDir(dataDir: string): string[] {
  return fs.readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DATA_DIR=${dataDir}`);
    } catch {
      return false;
    }
  });
}
