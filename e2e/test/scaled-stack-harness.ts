import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  graphql,
  GraphQLResponse,
  startTestNatsCluster,
  TestDatabase,
  TestNatsCluster,
} from '@ficus/testkit';
import { contractOperations } from '../src/operations';
import { gateway, registry, stackServices } from '../src/services';
import { instanceName, RunningStack, startStack } from '../src/stack';
import { createStackDatabases, devAdmin } from './stack-harness';

/** What the saga helpers need of a stack: contract operations sent through one gateway. */
export interface GatewayClient {
  url: string;
  send(operationName: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<any>>;
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<any>>;
}

export function gatewayClient(url: string): GatewayClient {
  const operations = contractOperations();
  const request: GatewayClient['request'] = (query, variables, token) =>
    graphql(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  return {
    url,
    request,
    send(name, variables, token) {
      const query = operations.get(name);
      if (!query) throw new Error(`no contract operation named ${name}`);
      return request(query, variables, token);
    },
  };
}

export interface ScaledTestStack {
  stack: RunningStack;
  cluster: TestNatsCluster;
  /** One client per gateway process, in the order of `stack.gatewayUrls`. */
  gateways: GatewayClient[];
  /** Each subgraph's database and the registry's, which every process of the service shares. */
  databaseUrls: Record<string, string>;
  dataDir: string;
  dispose(): Promise<void>;
}

/**
 * The real stack with several processes per service: a three-node JetStream cluster on
 * loopback, a fresh PostgreSQL database per service shared by its processes, subgraph
 * processes sharing their port (REUSE_PORT), and registries and gateways on ports of their own.
 */
export async function startScaledTestStack(
  label: string,
  instances: Partial<Record<string, number>>,
  env: Record<string, string> = {},
): Promise<ScaledTestStack> {
  const cluster = await startTestNatsCluster(3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ficus-${label}-`));
  let databases: TestDatabase[] = [];
  let databaseUrls: Record<string, string> = {};
  let stack: RunningStack | undefined;
  const dispose = async () => {
    await stack?.stop();
    for (const db of databases) await db.drop();
    await cluster.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    ({ databases, databaseUrls } = await createStackDatabases(label));
    const ports: Record<string, number> = {};
    for (const spec of stackServices) ports[spec.name] = await freePort();
    for (const spec of [registry, gateway]) {
      for (let i = 2; i <= (instances[spec.name] ?? 1); i++) ports[instanceName(spec, i)] = await freePort();
    }
    stack = await startStack({
      dataDir,
      natsUrl: cluster.url,
      nodeEnv: 'test',
      logLevel: 'info',
      ports,
      instances,
      databaseUrls,
      devAdmin,
      env,
    });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { stack, cluster, gateways: stack.gatewayUrls.map(gatewayClient), databaseUrls, dataDir, dispose };
}
