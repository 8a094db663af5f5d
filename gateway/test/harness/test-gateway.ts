import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeFromConfigFile } from '@ficus/schema-registry';
import { build, GatewayHandle, GatewayHooks, readGatewayConfig } from '../../src';
import type { TestSubgraph } from './test-subgraph';

export interface TestGateway extends GatewayHandle {
  /** Stops the gateway and removes its supergraph files. */
  dispose(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Environment variables over the test defaults. */
  env?: Record<string, string>;
  /** Serve a supergraph composed beforehand (SUPERGRAPH_FILE) instead of composing at start. */
  precomposed?: boolean;
  /** What a program embedding the gateway adds (subgraphs it serves in process). */
  hooks?: GatewayHooks;
}

/** A supergraph.yaml naming the subgraphs, in a folder of its own. */
export function writeSupergraphConfig(subgraphs: TestSubgraph[]): { dir: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-gateway-'));
  const entries = subgraphs.map((s) => {
    fs.writeFileSync(path.join(dir, `${s.name}.graphql`), s.sdl);
    return `  ${s.name}:\n    routing_url: ${s.url}\n    schema:\n      file: ./${s.name}.graphql\n`;
  });
  const config = path.join(dir, 'supergraph.yaml');
  fs.writeFileSync(config, `federation_version: =2.14.4\nsubgraphs:\n${entries.join('')}`);
  return { dir, config };
}

/** A real gateway on a free port serving the supergraph of the given subgraphs. */
export async function startTestGateway(subgraphs: TestSubgraph[], options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { dir, config } = writeSupergraphConfig(subgraphs);
  try {
    const supergraph = options.precomposed ? { SUPERGRAPH_FILE: await composeToFile(config) } : { SUPERGRAPH_CONFIG: config };
    const handle = await build(
      readGatewayConfig({ NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'silent', ...supergraph, ...options.env }),
      options.hooks,
    );
    return {
      ...handle,
      async dispose() {
        await handle.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function composeToFile(config: string): Promise<string> {
  const outcome = await composeFromConfigFile(config);
  if (!outcome.ok) throw new Error(`test subgraphs do not compose: ${JSON.stringify(outcome.errors)}`);
  const file = path.join(path.dirname(config), 'supergraph.graphql');
  fs.writeFileSync(file, outcome.supergraphSdl);
  return file;
}

/** The gateway's base URL, for non-GraphQL routes. */
export const origin = (gateway: GatewayHandle) => new URL(gateway.url).origin;
