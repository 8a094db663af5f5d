import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build as buildRegistry, readRegistryConfig, RegistryHandle } from '@ficus/schema-registry';
import { createTestDatabase, freePort, TestDatabase } from '@ficus/testkit';
import { build, GatewayHandle, readGatewayConfig } from '../../src';

export const graphRef = 'shop@current';

/**
 * A real schema registry in this process, over a SQLite file of its own, on a fixed free port
 * so that it can be stopped and started again where gateways expect it.
 */
export class TestRegistry {
  readonly key = `ficus_${randomBytes(32).toString('base64url')}`;
  private handle: RegistryHandle | null = null;

  private constructor(
    readonly port: number,
    private readonly db: TestDatabase,
  ) {}

  static async create(label: string): Promise<TestRegistry> {
    return new TestRegistry(await freePort(), await createTestDatabase('sqlite', label));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it, unless it runs already. */
  async start(): Promise<void> {
    if (this.handle) return;
    const config = readRegistryConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', PORT: String(this.port), REGISTRY_BOOTSTRAP_KEY: this.key });
    this.handle = await buildRegistry({ ...config, database: this.db.target });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.db.drop();
  }

  async gql<T = any>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string }[] }> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as any;
  }

  /** Publishes a subgraph; the answer says whether it composed and the supergraph id it made. */
  async publish(name: string, sdl: string, routingUrl: string): Promise<{ published: boolean; supergraphId: string | null; errors: string[] }> {
    const res = await this.gql(
      `mutation($input: PublishSubgraphInput!) {
        publishSubgraph(input: $input) { published supergraph { id } compositionErrors { code message } }
      }`,
      { input: { ref: graphRef, name, sdl, routingUrl } },
    );
    if (res.errors) throw new Error(`publish of ${name} failed: ${JSON.stringify(res.errors)}`);
    const result = res.data.publishSubgraph;
    return {
      published: result.published,
      supergraphId: result.supergraph?.id ?? null,
      errors: result.compositionErrors.map((e: { code: string }) => e.code),
    };
  }

  /** Publishes and fails the test unless it composed. */
  async mustPublish(name: string, sdl: string, routingUrl: string): Promise<string> {
    const result = await this.publish(name, sdl, routingUrl);
    if (!result.published || !result.supergraphId) throw new Error(`publish of ${name} refused: ${result.errors.join(', ')}`);
    return result.supergraphId;
  }
}

export interface RegistryGateway extends GatewayHandle {
  dataDir: string;
  /** The supergraph id /metrics says is served, or null. */
  servedId(): Promise<string | null>;
  ready(): Promise<number>;
  dispose(): Promise<void>;
}

/** A real gateway on a free port following `registry`, with a data folder (the supergraph cache) of its own unless given. */
export async function startRegistryGateway(
  registry: TestRegistry,
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<RegistryGateway> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-gateway-data-'));
  const handle = await build(
    readGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      FICUS_REGISTRY_URL: registry.baseUrl,
      FICUS_API_KEY: registry.key,
      DATA_DIR: dataDir,
      ...options.env,
    }),
  );
  const base = new URL(handle.url).origin;
  return {
    ...handle,
    dataDir,
    async servedId() {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      return /ficus_gateway_supergraph_info\{id="([0-9a-f]{64})"[^}]*\} 1/.exec(metrics)?.[1] ?? null;
    },
    async ready() {
      return (await fetch(`${base}/ready`)).status;
    },
    async dispose() {
      await handle.stop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
