import fs from 'node:fs';
import { ChildService, LogSink } from './child-service';
import { launchChild, readyTimeoutMs } from './launch-child';
import { startMonolithStack } from './monolith-stack';
import { NatsEndpoint, resolveNats } from './nats';
import { httpReady, ReadinessCheck, sharedPortReady } from './readiness';
import { repoRoot } from './repo';
import { createLauncherKey, newBootstrapKey, publishSubgraphs, stackGraphRef, subgraphsToPublish } from './registry-setup';
import { gateway, registry, ServiceSpec, stackServices, subgraphs } from './services';
import { databaseEnv, sharedServiceEnv, ServiceEnvOptions } from './service-env';
import { SupervisedService, SupervisionOptions } from './supervised-service';

export interface StackOptions extends ServiceEnvOptions {
  /** Where SQLite files, logs, the dev signing key and a launcher-started NATS keep their data. */
  dataDir: string;
  natsUrl?: string;
  /**
   * Port per service name; defaults are 4000 (gateway), 4001… (subgraphs) and 4100 (registry).
   * A second registry or gateway has no default: name its port (`registry-2`, `gateway-2`).
   */
  ports?: Partial<Record<string, number>>;
  /**
   * Processes per service (1 unless named). A subgraph's processes share its port
   * (REUSE_PORT: the kernel spreads connections among them, so the one routing URL the
   * supergraph has reaches every one). Registries and gateways each get a port of their own,
   * gateway i following registry i (or the first, when there are fewer registries). The
   * second and later processes are named `<service>-<i>` and start once the first is ready,
   * so that they find its database migrated.
   */
  instances?: Partial<Record<string, number>>;
  /** The development admin the users subgraph creates at start (never in production). */
  devAdmin?: { email: string; password: string };
  onLog?: LogSink;
  /**
   * Restart services (and a NATS the launcher started) that exit without being asked to, as
   * `npm start` does. Without it a crashed service stays down until `restart` (tests that
   * crash a service on purpose want that).
   */
  supervision?: SupervisionOptions;
  /**
   * The modular monolith (`npm start -- --monolith`): the subgraphs and the gateway in one
   * process, but for the modules named in `extract`, which run as their own services.
   */
  monolith?: { extract?: string[] };
}

export interface RunningStack {
  gatewayUrl: string;
  /** Every gateway process's URL, the first being `gatewayUrl` (more than one with `instances.gateway`). */
  gatewayUrls: string[];
  /** The schema registry the gateway follows, and the key the launcher uses with it (every scope but check in production). */
  registry: { url: string; apiKey: string; graphRef: string };
  /** Every registry process's URL, the first being `registry.url`; gateway i follows registry i. */
  registryUrls: string[];
  urls: Record<string, string>;
  nats: NatsEndpoint;
  /** The process serving each service now (a new one after a restart), in start order. */
  readonly services: ChildService[];
  /** Kills a service's process with SIGKILL, as a crash would (`orders`, or `orders-2` for its second process). */
  crash(name: string): Promise<void>;
  /** Starts a stopped or crashed process again and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Stops the gateway, then the registry and the subgraphs, then a NATS the launcher started. */
  stop(): Promise<void>;
}

/**
 * Starts every subgraph and the schema registry as child processes, publishes each subgraph's
 * schema to the registry once it is ready, then starts the gateway following the registry.
 * With `instances`, the further processes of each service start once its first is ready.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  if (options.monolith) return startMonolithStack({ ...options, monolith: options.monolith });
  const root = repoRoot();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const nats = await resolveNats({ natsUrl: options.natsUrl, dataDir: options.dataDir, supervision: options.supervision });
  const processes = (spec: ServiceSpec) => Math.max(1, options.instances?.[spec.name] ?? 1);
  const portOf = (spec: ServiceSpec, instance = 1) => {
    if (instance === 1 || spec.role === 'subgraph') return options.ports?.[spec.name] ?? spec.defaultPort;
    const port = options.ports?.[instanceName(spec, instance)];
    if (port === undefined) throw new Error(`no port named for ${instanceName(spec, instance)}: set ports['${instanceName(spec, instance)}']`);
    return port;
  };
  const started: SupervisedService[] = [];
  const launch = (spec: ServiceSpec, env: NodeJS.ProcessEnv, instance = 1): SupervisedService => {
    const port = portOf(spec, instance);
    const shared = spec.role === 'subgraph' && processes(spec) > 1;
    // Asking a shared port may reach another process of the service: its own listener says it is up.
    const ready: ReadinessCheck = shared ? sharedPortReady(port) : httpReady(port);
    const name = instanceName(spec, instance);
    const child = launchChild(root, spec, name, { ...env, PORT: String(port), ...(shared ? { REUSE_PORT: 'true' } : {}) }, options);
    const service = new SupervisedService(child, spec.role, ready, options.supervision);
    started.push(service);
    return service;
  };
  const stop = async () => {
    // First no restarts anywhere, so a service that dies while the others stop stays down.
    for (const service of [...started, ...(nats.service ? [nats.service] : [])]) service.halt();
    for (const service of [...started].reverse()) await service.stop();
    await nats.stop?.();
  };
  const registryUrls = Array.from({ length: processes(registry) }, (_, i) => `http://127.0.0.1:${portOf(registry, i + 1)}`);
  const gatewayUrls = Array.from({ length: processes(gateway) }, (_, i) => `http://127.0.0.1:${portOf(gateway, i + 1)}/graphql`);

  let registryInfo: RunningStack['registry'] | undefined;
  try {
    const shared = sharedServiceEnv(options, nats.url);
    const subgraphEnv = (spec: ServiceSpec): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...shared, ...databaseEnv(options, spec.name) };
      if (spec.name === 'users' && options.devAdmin && options.nodeEnv !== 'production') {
        env.DEV_ADMIN_EMAIL = options.devAdmin.email;
        env.DEV_ADMIN_PASSWORD = options.devAdmin.password;
      }
      return env;
    };

    // The registry starts beside the subgraphs. Outside production it takes a bootstrap key
    // made for this start; in production that is refused, so a key is created in its database.
    const registryEnv: NodeJS.ProcessEnv = { ...shared, ...databaseEnv(options, 'registry') };
    const production = options.nodeEnv === 'production';
    const bootstrapKey = production ? undefined : newBootstrapKey();
    if (bootstrapKey) registryEnv.REGISTRY_BOOTSTRAP_KEY = bootstrapKey;
    const firstProcesses = [...subgraphs.map((spec) => launch(spec, subgraphEnv(spec))), launch(registry, registryEnv)];
    await Promise.all(firstProcesses.map((service) => service.waitUntilReady(readyTimeoutMs)));
    // Only now the further processes: they find their database migrated (two processes migrating
    // one database at once would race) and, for a registry, the bootstrap key stored.
    const furtherProcesses = [...subgraphs, registry].flatMap((spec) =>
      Array.from({ length: processes(spec) - 1 }, (_, i) => launch(spec, spec === registry ? registryEnv : subgraphEnv(spec), i + 2)),
    );
    await Promise.all(furtherProcesses.map((service) => service.waitUntilReady(readyTimeoutMs)));
    const apiKey = bootstrapKey ?? (await createLauncherKey(root, registryEnv));
    registryInfo = { url: registryUrls[0]!, apiKey, graphRef: stackGraphRef };
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
    const gateways = gatewayUrls.map((_, i) =>
      launch(
        gateway,
        {
          ...shared,
          // The launcher's gateway follows the registry; a supergraph file named in the shell would conflict.
          SUPERGRAPH_CONFIG: '',
          SUPERGRAPH_FILE: '',
          FICUS_REGISTRY_URL: registryUrls[i % registryUrls.length],
          FICUS_API_KEY: apiKey,
          FICUS_GRAPH_REF: stackGraphRef,
          JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
        },
        i + 1,
      ),
    );
    await Promise.all(gateways.map((service) => service.waitUntilReady(readyTimeoutMs)));
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
    gatewayUrl: gatewayUrls[0]!,
    gatewayUrls,
    registry: registryInfo!,
    registryUrls,
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

/** The first process of a service has its name; the second and later `<service>-<i>`. */
export function instanceName(spec: ServiceSpec, instance: number): string {
  return instance === 1 ? spec.name : `${spec.name}-${instance}`;
}
