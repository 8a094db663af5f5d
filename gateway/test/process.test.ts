import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '@ficus/testkit';
import { Gate, startAccountsSubgraph } from './harness/shop-subgraphs';
import { writeSupergraphConfig } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';

const main = path.resolve(__dirname, '../dist/src/main.js');

interface Exit {
  code: number | null;
  stderr: string;
}

function startGatewayProcess(env: Record<string, string>): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { child, exited };
}

let accounts: TestSubgraph;

beforeAll(async () => {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc --build gateway\` first`);
  accounts = await startAccountsSubgraph(new Gate());
});

afterAll(() => accounts?.stop());

describe('the gateway process', () => {
  it('starts from its environment and exits 0 on SIGTERM', async () => {
    const { dir, config } = writeSupergraphConfig([accounts]);
    const port = await freePort();
    const { child, exited } = startGatewayProcess({ PORT: String(port), SUPERGRAPH_CONFIG: config });
    try {
      await waitFor(() => fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok), { what: 'the gateway to be ready' });

      child.kill('SIGTERM');

      expect(await exited).toEqual({ code: 0, stderr: '' });
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 naming every bad variable', async () => {
    const { exited } = startGatewayProcess({ PORT: 'eighty', JWKS_URL: 'not a url' });

    const { code, stderr } = await exited;

    expect(code).toBe(1);
    expect(stderr).toContain('PORT:');
    expect(stderr).toContain('JWKS_URL: must be an http(s) URL');
  });
});
