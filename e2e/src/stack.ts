import fs from 'node:fs';
import path from 'node:path';
import { ChildService, LogSink } from './child-service';
import { NatsEndpoint, resolveNats } from './nats';
import { serviceNodeOptions, withServiceEnvironment } from './node-options';
import { httpReady } from './readiness';
import { repoRoot } from './repo';
import { createLauncherKey, newBootstrapKey, publishSubgraphs, stackGraphRef, subgraphsToPublish } from './registry-setup';
import { gateway, registry, ServiceSpec, stackServices, subgraphs } from './services';
import { databaseEnv, sharedServiceEnv, ServiceEnvOptions } from './service-env';
import { SupervisedService, SupervisionOptions } from './supervised-service';

/** How long a service has to answer 200 on /ready after it is started. */
const readyTimeoutMs = 60_000;

export interface StackOptions extends ServiceEnvOptions {
  /** Where SQLite files, logs, the dev signing key and a launcher-started NATS keep their data. */
  dataDir: string;
  natsUrl?: string;
  /** Port per service name; defaults are 4000 (gateway), 4001… (subgraphs) and 4100 (registry). */
  ports?: Partial<Record<string, number>>;
  /** The development admin the users subgraph creates at start (never in production). */
  devAdmin?: { email: string; password: string };
  onLog?: LogSink;
  /**
   * Restart services (and a NATS the launcher started) that exit without being asked to, as
   * `npm start` does. Without it a crashed service stays down until `restart` (tests that
   * crash a service on purpose want that).
   */
  supervision?: SupervisionOptions;
}

export interface RunningStack {
  gatewayUrl: string;
  /** The schema registry the gateway follows, and the key the launcher uses with it (every scope but check in production). */
  registry: { url: string; apiKey: string; graphRef: string };
  urls: Record<string, string>;
  nats: NatsEndpoint;
  /** The process serving each service now (a new one after a restart), in start order. */
  readonly services: ChildService[];
  /** Kills a service with SIGKILL, as a crash would. */
  crash(name: string): Promise<void>;
  /** Starts a stopped or crashed service again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Stops the gateway, then the registry and the subgraphs, then a NATS the launcher started. */
  stop(): Promise<void>;
}

/**
 * Starts every subgraph and the schema registry as child processes, publishes each subgraph's
 * schema to the registry once it is ready, then starts the gateway following the registry.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const root = repoRoot();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const nats = await resolveNats({ natsUrl: options.natsUrl, dataDir: options.dataDir, supervision: options.supervision });
  const portOf = (spec: ServiceSpec) => options.ports?.[spec.name] ?? spec.defaultPort;
  const started: SupervisedService[] = [];
  const launch = (spec: ServiceSpec, env: NodeJS.ProcessEnv): SupervisedService => {
    const service = new SupervisedService(launchChild(root, spec, env, options), spec.role, httpReady(portOf(spec)), options.supervision);
    started.push(service);
    return service;
  };
  const stop = async () => {
    // First no restarts anywhere, so a service that dies while the others stop stays down.
    for (const service of [...started, ...(nats.service ? [nats.service] : [])]) service.halt();
    for (const service of [...started].reverse()) await service.stop();
    await nats.stop?.();
  };

  let registryInfo: RunningStack['registry'] | undefined;
  try {
    const shared = sharedServiceEnv(options, nats.url);
    const subgraphServices = subgraphs.map((spec) => {
      const env: NodeJS.ProcessEnv = { ...shared, PORT: String(portOf(spec)), ...databaseEnv(options, spec.name) };
      if (spec.name === 'users' && options.devAdmin && options.nodeEnv !== 'production') {
        env.DEV_ADMIN_EMAIL = options.devAdmin.email;
        env.DEV_ADMIN_PASSWORD = options.devAdmin.password;
      }
      return launch(spec, env);
    });

    // The registry starts beside the subgraphs. Outside production it takes a bootstrap key
    // made for this start; in production that is refused, so a key is created in its database.
    const registryEnv: NodeJS.ProcessEnv = { ...shared, PORT: String(portOf(registry)), ...databaseEnv(options, 'registry') };
    const production = options.nodeEnv === 'production';
    const bootstrapKey = production ? undefined : newBootstrapKey();
    const registryService = launch(registry, bootstrapKey ? { ...registryEnv, REGISTRY_BOOTSTRAP_KEY: bootstrapKey } : registryEnv);
    await Promise.all([...subgraphServices, registryService].map((service) => service.waitUntilReady(readyTimeoutMs)));
    const apiKey = bootstrapKey ?? (await createLauncherKey(root, registryEnv));
    registryInfo = { url: `http://127.0.0.1:${portOf(registry)}`, apiKey, graphRef: stackGraphRef };
    await publishSubgraphs(
      registryInfo.url,
      apiKey,
      subgraphsToPublish(root, (name) => {
        const spec = subgraphs.find((s) => s.name === name);
        if (!spec) throw new Error(`supergraph.yaml names ${name}, which the launcher does not start`);
        return portOf(spec);
      }),
    );

    const usersPort = portOf(subgraphs.find((s) => s.name === 'users')!);
    const gatewayService = launch(gateway, {
      ...shared,
      PORT: String(portOf(gateway)),
      // The launcher's gateway follows the registry; a supergraph file named in the shell would conflict.
      SUPERGRAPH_CONFIG: '',
      SUPERGRAPH_FILE: '',
      FICUS_REGISTRY_URL: registryInfo.url,
      FICUS_API_KEY: apiKey,
      FICUS_GRAPH_REF: stackGraphRef,
      JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
    });
    await gatewayService.waitUntilReady(readyTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }

  const urls = Object.fromEntries(
    stackServices.map((spec) => [spec.name, `http://127.0.0.1:${portOf(spec)}/graphql`]),
  );
  const find = (name: string) => {
    const service = started.find((s) => s.name === name);
    if (!service) throw new Error(`no service named ${name}`);
    return service;
  };
  return {
    gatewayUrl: urls.gateway!,
    registry: registryInfo!,
    urls,
    nats,
    get services() {
      return started.map((service) => service.child);
    },
    stop,
    crash: (name) => find(name).crash(),
    restart: (name) => find(name).restart(readyTimeoutMs),
  };
}

function launchChild(root: string, spec: ServiceSpec, env: NodeJS.ProcessEnv, options: StackOptions): ChildService {
  const entry = path.join(root, spec.dir, 'dist', 'src', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const logFile = path.join(options.dataDir, 'logs', `${spec.name}.log`);
  const packageDir = path.join(root, spec.dir);
  const command = { file: process.execPath, args: [...serviceNodeOptions(packageDir), entry] };
  return new ChildService(spec.name, command, withServiceEnvironment(packageDir, env), logFile, options.onLog);
}
