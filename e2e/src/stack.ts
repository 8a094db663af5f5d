import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { EXIT_WITH_PARENT_VARIABLE } from '@ficus/kit';
import { waitFor } from '@ficus/testkit';
import { ChildService, LogSink } from './child-service';
import { NatsEndpoint, resolveNats } from './nats';
import { repoRoot } from './repo';
import { gateway, ServiceSpec, subgraphs } from './services';

export interface StackOptions {
  /** Where SQLite files, logs, the dev signing key and a launcher-started NATS keep their data. */
  dataDir: string;
  natsUrl?: string;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  /** Port per service name; defaults are 4000 (gateway) and 4001… (subgraphs). */
  ports?: Partial<Record<string, number>>;
  /** A PostgreSQL server from which each subgraph derives its own database. */
  postgresUrl?: string;
  /** A database URL per subgraph, overriding `postgresUrl`. */
  databaseUrls?: Partial<Record<string, string>>;
  /** The development admin the users subgraph creates at start (never in production). */
  devAdmin?: { email: string; password: string };
  /** Extra variables for every service (e.g. a short PAYMENT_TIMEOUT_MS in tests). */
  env?: Record<string, string>;
  onLog?: LogSink;
}

export interface RunningStack {
  gatewayUrl: string;
  urls: Record<string, string>;
  nats: NatsEndpoint;
  services: ChildService[];
  /** Kills a service with SIGKILL, as a crash would. */
  crash(name: string): Promise<void>;
  /** Starts a stopped or crashed service again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Stops the gateway, then the subgraphs, then a NATS the launcher started. */
  stop(): Promise<void>;
}

/** Starts every subgraph and the gateway as child processes and waits until each is ready. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const root = repoRoot();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const nats = await resolveNats({ natsUrl: options.natsUrl, dataDir: options.dataDir });
  const portOf = (spec: ServiceSpec) => options.ports?.[spec.name] ?? spec.defaultPort;
  const started: ChildService[] = [];
  const stop = async () => {
    for (const service of [...started].reverse()) await service.stop();
    await nats.stop?.();
  };

  try {
    const shared: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: options.nodeEnv,
      LOG_LEVEL: options.logLevel,
      ...options.env,
      NATS_URL: nats.url,
      DATA_DIR: options.dataDir,
      HOST: '127.0.0.1',
      [EXIT_WITH_PARENT_VARIABLE]: '1',
    };
    for (const spec of subgraphs) {
      const env: NodeJS.ProcessEnv = { ...shared, PORT: String(portOf(spec)) };
      const databaseUrl = options.databaseUrls?.[spec.name];
      if (databaseUrl) env.DATABASE_URL = databaseUrl;
      else if (options.postgresUrl) env.POSTGRES_URL = options.postgresUrl;
      if (spec.name === 'users' && options.devAdmin && options.nodeEnv !== 'production') {
        env.DEV_ADMIN_EMAIL = options.devAdmin.email;
        env.DEV_ADMIN_PASSWORD = options.devAdmin.password;
      }
      started.push(launch(root, spec, env, options));
    }
    await Promise.all(started.map((service, i) => waitUntilReady(service, portOf(subgraphs[i]!))));

    const supergraphConfig = writeSupergraphConfig(root, options.dataDir, (name) => {
      const spec = subgraphs.find((s) => s.name === name);
      if (!spec) throw new Error(`supergraph.yaml names ${name}, which the launcher does not start`);
      return portOf(spec);
    });
    const usersPort = portOf(subgraphs.find((s) => s.name === 'users')!);
    const gatewayService = launch(
      root,
      gateway,
      {
        ...shared,
        PORT: String(portOf(gateway)),
        SUPERGRAPH_CONFIG: supergraphConfig,
        JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
      },
      options,
    );
    started.push(gatewayService);
    await waitUntilReady(gatewayService, portOf(gateway));
  } catch (err) {
    await stop();
    throw err;
  }

  const urls = Object.fromEntries(
    [...subgraphs, gateway].map((spec) => [spec.name, `http://127.0.0.1:${portOf(spec)}/graphql`]),
  );
  const find = (name: string) => {
    const index = started.findIndex((service) => service.name === name);
    if (index < 0) throw new Error(`no service named ${name}`);
    return index;
  };
  return {
    gatewayUrl: urls.gateway!,
    urls,
    nats,
    services: started,
    stop,
    crash: (name) => started[find(name)]!.crash(),
    async restart(name) {
      const index = find(name);
      const spec = [...subgraphs, gateway].find((s) => s.name === name)!;
      await started[index]!.stop();
      started[index] = started[index]!.relaunch();
      await waitUntilReady(started[index]!, portOf(spec));
    },
  };
}

function launch(root: string, spec: ServiceSpec, env: NodeJS.ProcessEnv, options: StackOptions): ChildService {
  const entry = path.join(root, spec.dir, 'dist', 'src', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  return new ChildService(spec.name, entry, env, path.join(options.dataDir, 'logs', `${spec.name}.log`), options.onLog);
}

async function waitUntilReady(service: ChildService, port: number): Promise<void> {
  await waitFor(
    async () => {
      if (!service.running) {
        throw new ServiceExitedError(`${service.name} exited before it was ready:\n${service.recentOutput()}`);
      }
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
      return res?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `${service.name} to be ready on port ${port}`, failFast: ServiceExitedError },
  ).catch((err) => {
    throw err instanceof ServiceExitedError ? err : new Error(`${String(err)}\n${service.recentOutput()}`);
  });
}

class ServiceExitedError extends Error {}

/** The repository's supergraph.yaml with routing URLs on the ports this stack uses. */
function writeSupergraphConfig(root: string, dataDir: string, portOf: (name: string) => number): string {
  const source = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8')) as {
    federation_version: string;
    subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
  };
  for (const [name, subgraph] of Object.entries(source.subgraphs)) {
    subgraph.routing_url = `http://127.0.0.1:${portOf(name)}/graphql`;
    subgraph.schema.file = path.resolve(root, subgraph.schema.file);
  }
  const file = path.join(dataDir, 'supergraph.yaml');
  fs.writeFileSync(file, YAML.stringify(source));
  return file;
}
