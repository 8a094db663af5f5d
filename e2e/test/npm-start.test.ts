import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphql, isPortOpen, startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { repoRoot } from '../src/repo';
import { freeStackPorts, launcherEnv } from './launcher-env';

function processGroupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let nats: TestNatsServer;
  let dataDir: string;
  let launcher: ChildProcess | undefined;
  let output = '';
  let ports: Record<string, number> = {};

  beforeAll(async () => {
    nats = await startTestNatsServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-start-'));
    ports = await freeStackPorts();
  });

  afterAll(async () => {
    if (launcher?.pid && processGroupAlive(launcher.pid)) process.kill(-launcher.pid, 'SIGKILL');
    await nats?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings the stack up on SQLite with demo data, and Ctrl-C stops every process it started', async () => {
    const started = Date.now();
    // `npm start` exactly as a person types it, in its own process group so that a
    // SIGINT to the group is what Ctrl-C in a terminal sends.
    launcher = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot(),
      detached: true,
      env: launcherEnv({ dataDir, natsUrl: nats.url, ports }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => launcher!.once('exit', (code) => resolve(code)));

    await waitFor(() => output.includes('Press Ctrl-C'), { timeoutMs: 120_000, intervalMs: 100, what: `"Ficus is ready" (output so far: ${output})` });
    process.stdout.write(`npm start: ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(output).toContain('admin@example.com / admin');
    expect(output).toContain('5 products created');
    for (const name of ['gateway', 'users', 'products', 'inventory', 'orders', 'payments', 'notifications', 'legacy-shop']) {
      expect(output).toMatch(new RegExp(`${name}\\s+http://127\\.0\\.0\\.1:${ports[name]}/graphql`));
    }
    expect(fs.existsSync(path.join(dataDir, 'products.sqlite'))).toBe(true);

    const gateway = `http://127.0.0.1:${ports.gateway}/graphql`;
    const catalog = await waitFor(
      async () => {
        const res = await graphql(gateway, '{ products(first: 50) { totalCount edges { node { sku inStock stock { available } } } } }');
        return res.data?.products.edges.find((e: any) => e.node.sku === 'FIG-TREE') ? res : null;
      },
      { what: 'the demo catalog' },
    );
    expect(catalog.data.products.totalCount).toBe(5);
    const tree = catalog.data.products.edges.find((e: any) => e.node.sku === 'FIG-TREE').node;
    expect(tree).toEqual({ sku: 'FIG-TREE', inStock: true, stock: { available: 8 } });

    process.kill(-launcher.pid!, 'SIGINT');
    await exited;
    // npm itself exits on SIGINT at once; the launcher goes on stopping what it started.
    await waitFor(() => output.includes('nothing left running'), { timeoutMs: 30_000, what: 'the launcher to stop everything' });
    await waitFor(() => !processGroupAlive(launcher!.pid!), { timeoutMs: 10_000, what: 'every process of the group to exit' });
    for (const port of Object.values(ports)) expect(await isPortOpen(port)).toBe(false);
  });
});
