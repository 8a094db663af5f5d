import path from 'node:path';
import { freePort } from '@ficus/testkit';
import { benchRequestBody } from './bench-query';
import { ServedProcess, startNodeProcess, waitUntilServing } from '../served-process';

/** A gateway process under load: where to send the query, and the process to measure. */
export interface BenchGateway {
  label: string;
  url: string;
  process: ServedProcess;
}

/** The Ficus gateway (`gateway/dist/src/main.js`) on the supergraph file, in production mode. */
export async function startFicusGateway(options: { repoRoot: string; supergraphFile: string; workDir: string }): Promise<BenchGateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
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
    DATA_DIR: path.join(options.workDir, 'ficus-data'),
    FICUS_EXIT_WITH_PARENT: '1',
  };
  const script = path.join(options.repoRoot, 'gateway', 'dist', 'src', 'main.js');
  return started('ficus', `http://127.0.0.1:${port}/graphql`, script, env, options.workDir);
}

/** Plain @apollo/gateway with @apollo/server standalone on the same supergraph file. */
export async function startApolloGateway(options: { supergraphFile: string; workDir: string }): Promise<BenchGateway> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), SUPERGRAPH_FILE: options.supergraphFile };
  return started('@apollo/gateway', `http://127.0.0.1:${port}/`, path.join(__dirname, 'apollo-gateway-main.js'), env, options.workDir);
}

async function started(label: string, url: string, script: string, env: NodeJS.ProcessEnv, workDir: string): Promise<BenchGateway> {
  const logFile = path.join(workDir, `${label.replace(/\W/g, '')}.log`);
  const { child, process: served } = startNodeProcess({ name: `the ${label} gateway`, script, env, logFile });
  try {
    await waitUntilServing(served, child, url, benchRequestBody, logFile);
  } catch (err) {
    await served.stop();
    throw err;
  }
  return { label, url, process: served };
}
