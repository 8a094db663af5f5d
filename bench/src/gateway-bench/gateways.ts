import fs from 'node:fs';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions } from '@ficus/e2e';
import { freePort } from '@ficus/testkit';
import { benchRequestBody } from './bench-query';
import { ServedProcess, startNodeProcess, waitUntilServing } from '../served-process';

/**
 * In-flight deduplication of identical subgraph reads: switched off or on, or `none` for a
 * gateway that has no such feature.
 */
export type Deduplication = 'off' | 'on' | 'none';

/** A gateway process under load: where to send the query, and the process to measure. */
export interface BenchGateway {
  /** The gateway and its deduplication, e.g. `ficus, dedup off`: unique in a run. */
  label: string;
  gateway: string;
  deduplication: Deduplication;
  url: string;
  process: ServedProcess;
}

/** The Ficus gateway (`gateway/dist/src/main.js`) on the supergraph file, in production mode. */
export async function startFicusGateway(options: {
  repoRoot: string;
  supergraphFile: string;
  workDir: string;
  deduplication: 'off' | 'on';
  /**
   * Names a configuration the gateway runs in besides deduplication (e.g. `tracing on`), and
   * the variables that make it (over its package's `ficus.env`); `nodeOptions` replaces the Node
   * options its package names.
   */
  variant?: { name: string; env: NodeJS.ProcessEnv; nodeOptions?: string[] };
}): Promise<BenchGateway> {
  const port = await freePort();
  const packageDir = path.join(options.repoRoot, 'gateway');
  const env: NodeJS.ProcessEnv = {
    ...serviceEnvironment(packageDir),
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // The load comes from one client: a rate limit would refuse it.
    RATE_LIMIT: 'off',
    HOST: '127.0.0.1',
    PORT: String(port),
    SUPERGRAPH_FILE: options.supergraphFile,
    SUPERGRAPH_CONFIG: undefined,
    FICUS_REGISTRY_URL: undefined,
    REDIS_URL: undefined,
    GATEWAY_ENGINE: 'ficus',
    SUBGRAPH_DEDUPLICATION: options.deduplication,
    DATA_DIR: path.join(options.workDir, `ficus-data-${options.deduplication}${options.variant ? `-${options.variant.name.replace(/\W+/g, '-')}` : ''}`),
    FICUS_EXIT_WITH_PARENT: '1',
    ...options.variant?.env,
  };
  // As the gateway is shipped: with the Node options its package asks for.
  const script = { path: path.join(packageDir, 'dist', 'src', 'main.js'), nodeOptions: options.variant?.nodeOptions ?? serviceNodeOptions(packageDir) };
  const gateway = options.variant ? `ficus, ${options.variant.name}` : 'ficus';
  return started({ gateway, deduplication: options.deduplication }, `http://127.0.0.1:${port}/graphql`, script, env, options.workDir);
}

/** Plain @apollo/gateway with @apollo/server standalone on the same supergraph file. */
export async function startApolloGateway(options: { supergraphFile: string; workDir: string }): Promise<BenchGateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), SUPERGRAPH_FILE: options.supergraphFile };
  return started({ gateway: '@apollo/gateway 2.14.4', deduplication: 'none' }, `http://127.0.0.1:${port}/`, { path: path.join(__dirname, 'apollo-gateway-main.js') }, env, options.workDir);
}

/**
 * Hive Gateway with its Rust query planner (`--hive-router-runtime`), one worker, on the same
 * supergraph file. It deduplicates identical in-flight subgraph queries by default (the HTTP
 * transport's `deduplicateInflightRequests`); "off" sets that option to false for every subgraph.
 */
export async function startHiveGateway(options: { bin: string; version: string; supergraphFile: string; workDir: string; deduplication: 'off' | 'on' }): Promise<BenchGateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    SUPERGRAPH_FILE: options.supergraphFile,
    HIVE_GATEWAY_BIN: options.bin,
  };
  if (options.deduplication === 'off') {
    const config = path.join(options.workDir, 'hive-gateway-dedup-off.config.mjs');
    fs.writeFileSync(config, `export const gatewayConfig = { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } };\n`);
    env.HIVE_GATEWAY_CONFIG = config;
  }
  const gateway = `hive gateway ${options.version} (rust QP)`;
  return started({ gateway, deduplication: options.deduplication }, `http://127.0.0.1:${port}/graphql`, { path: path.join(__dirname, 'hive-gateway-main.js') }, env, options.workDir);
}

/** The floor's name in the bench's tables. */
export const floorGateway = 'floor: the query by hand, no engine';

/**
 * The floor (floor-gateway-main.ts): the bench query's five subgraph requests made by hand, no
 * engine. Not a gateway anyone would run: it says how much of every gateway's figures is the
 * machine's and the subgraphs'. It has no deduplication, so it is compared at "off".
 */
export async function startFloorGateway(options: { subgraphUrls: Record<string, string>; workDir: string }): Promise<BenchGateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), SUBGRAPH_URLS: JSON.stringify(options.subgraphUrls) };
  return started({ gateway: floorGateway, deduplication: 'off' }, `http://127.0.0.1:${port}/graphql`, { path: path.join(__dirname, 'floor-gateway-main.js') }, env, options.workDir);
}

async function started(
  name: { gateway: string; deduplication: Deduplication },
  url: string,
  script: { path: string; nodeOptions?: string[] },
  env: NodeJS.ProcessEnv,
  workDir: string,
): Promise<BenchGateway> {
  const label = name.deduplication === 'none' ? name.gateway : `${name.gateway}, dedup ${name.deduplication}`;
  const logFile = path.join(workDir, `${label.replace(/\W+/g, '-')}.log`);
  const { child, process: served } = startNodeProcess({ name: `the ${label} gateway`, script: script.path, nodeOptions: script.nodeOptions, env, logFile });
  try {
    await waitUntilServing(served, child, url, benchRequestBody, logFile);
  } catch (err) {
    await served.stop();
    throw err;
  }
  return { ...name, label, url, process: served };
}
