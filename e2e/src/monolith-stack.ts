import fs from 'node:fs';
import { resolveNats } from './nats';
import { httpReady } from './readiness';
import { repoRoot } from './repo';
import { createLauncherKey, newBootstrapKey, publishSubgraphs, stackGraphRef, subgraphsToPublish } from './registry-setup';
import { gateway, registry, ServiceSpec, subgraphs } from './services';
import { databaseEnv, sharedServiceEnv } from './service-env';
import { launchChild, readyTimeoutMs } from './launch-child';
import type { RunningStack, StackOptions } from './stack';
import { SupervisedService } from './supervised-service';

/** The subgraphs the monolith package has as modules; any other subgraph of the stack runs as its own service. */
export const monolithModules = ['users', 'products', 'inventory', 'orders', 'payments', 'notifications'];

/** The monolith's process serves the gateway: losing it loses the graph, as losing the gateway would. */
export const monolithService: ServiceSpec = { name: 'monolith', dir: 'monolith', defaultPort: gateway.defaultPort, role: 'gateway' };

/**
 * `npm start -- --monolith`: the schema registry, then every subgraph not in the monolith (the
 * extracted ones) as its own process, then the monolith, which serves the other subgraphs and
 * the gateway in one process. Each subgraph is published with the routing URL of its own
 * listener (a module's in the monolith, or an extracted service's), before the monolith starts:
 * its gateway calls in process the modules whose routing URL it serves, and the others over HTTP.
 */
export async function startMonolithStack(options: StackOptions & { monolith: { extract?: string[] } }): Promise<RunningStack> {
  const extract = options.monolith.extract ?? [];
  const unknown = extract.filter((name) => !monolithModules.includes(name));
  if (unknown.length > 0) throw new Error(`cannot extract ${unknown.join(', ')}: the monolith's modules are ${monolithModules.join(', ')}`);
  if (Object.values(options.instances ?? {}).some((count) => (count ?? 1) > 1)) throw new Error('instances are not supported in monolith mode');
  const root = repoRoot();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const nats = await resolveNats({ natsUrl: options.natsUrl, dataDir: options.dataDir, supervision: options.supervision });
  const portOf = (spec: ServiceSpec) => options.ports?.[spec.name] ?? spec.defaultPort;
  const modules = subgraphs.filter((spec) => monolithModules.includes(spec.name) && !extract.includes(spec.name));
  const ownProcesses = subgraphs.filter((spec) => !modules.includes(spec));
  const started: SupervisedService[] = [];
  const launch = (spec: ServiceSpec, env: NodeJS.ProcessEnv, port: number): SupervisedService => {
    const child = launchChild(root, spec, spec.name, { ...env, PORT: String(port) }, options);
    const service = new SupervisedService(child, spec.role, httpReady(port), options.supervision);
    started.push(service);
    return service;
  };
  const stop = async () => {
    for (const service of [...started, ...(nats.service ? [nats.service] : [])]) service.halt();
    for (const service of [...started].reverse()) await service.stop();
    await nats.stop?.();
  };
  const registryUrl = `http://127.0.0.1:${portOf(registry)}`;
  const gatewayUrl = `http://127.0.0.1:${portOf(gateway)}/graphql`;

  let registryInfo: RunningStack['registry'];
  try {
    const shared = sharedServiceEnv(options, nats.url);
    const devAdminEnv = (prefix: string): NodeJS.ProcessEnv =>
      options.devAdmin && options.nodeEnv !== 'production'
        ? { [`${prefix}DEV_ADMIN_EMAIL`]: options.devAdmin.email, [`${prefix}DEV_ADMIN_PASSWORD`]: options.devAdmin.password }
        : {};
    const registryEnv: NodeJS.ProcessEnv = { ...shared, ...databaseEnv(options, 'registry') };
    const bootstrapKey = options.nodeEnv === 'production' ? undefined : newBootstrapKey();
    if (bootstrapKey) registryEnv.REGISTRY_BOOTSTRAP_KEY = bootstrapKey;
    const first = [
      launch(registry, registryEnv, portOf(registry)),
      ...ownProcesses.map((spec) =>
        launch(spec, { ...shared, ...databaseEnv(options, spec.name), ...(spec.name === 'users' ? devAdminEnv('') : {}) }, portOf(spec)),
      ),
    ];
    await Promise.all(first.map((service) => service.waitUntilReady(readyTimeoutMs)));
    const apiKey = bootstrapKey ?? (await createLauncherKey(root, registryEnv));
    registryInfo = { url: registryUrl, apiKey, graphRef: stackGraphRef };
    await publishSubgraphs(
      registryUrl,
      apiKey,
      subgraphsToPublish(root, (name) => {
        const spec = subgraphs.find((s) => s.name === name);
        if (!spec) throw new Error(`supergraph.yaml names ${name}, which the launcher does not start`);
        return portOf(spec);
      }),
    );

    // Each module's own variables are prefixed with its name (ORDERS__PORT); the unprefixed PORT is the gateway's.
    const moduleEnv = Object.assign(
      {},
      ...modules.map((spec) => {
        const own: NodeJS.ProcessEnv = { PORT: String(portOf(spec)), ...databaseEnv(options, spec.name), ...(spec.name === 'users' ? devAdminEnv('') : {}) };
        return Object.fromEntries(Object.entries(own).map(([name, value]) => [`${spec.name.toUpperCase()}__${name}`, value]));
      }),
    ) as NodeJS.ProcessEnv;
    const usersPort = portOf(subgraphs.find((s) => s.name === 'users')!);
    await launch(
      monolithService,
      {
        ...shared,
        ...moduleEnv,
        FICUS_MONOLITH_MODULES: modules.map((spec) => spec.name).join(','),
        SUPERGRAPH_CONFIG: '',
        SUPERGRAPH_FILE: '',
        FICUS_REGISTRY_URL: registryUrl,
        FICUS_API_KEY: apiKey,
        FICUS_GRAPH_REF: stackGraphRef,
        JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
      },
      portOf(gateway),
    ).waitUntilReady(readyTimeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }

  const urls: Record<string, string> = Object.fromEntries(
    [...subgraphs, registry, gateway].map((spec) => [spec.name, `http://127.0.0.1:${portOf(spec)}/graphql`]),
  );
  const find = (name: string) => {
    const service = started.find((s) => s.name === name);
    if (!service) throw new Error(`no process named ${name} (in monolith mode the modules and the gateway are the process "monolith")`);
    return service;
  };
  return {
    gatewayUrl,
    gatewayUrls: [gatewayUrl],
    registry: registryInfo,
    registryUrls: [registryUrl],
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
