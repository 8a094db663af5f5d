import { build as buildGateway, GatewayHandle } from '@ficus/gateway';
import { isNatsConnected } from '@ficus/events';
import { createLogger, InProcessHandler, SubgraphHandle } from '@ficus/kit';
import type { MonolithConfig } from './config';

export interface MonolithHandle {
  /** The gateway's GraphQL endpoint: the process's public face. */
  url: string;
  port: number;
  /** Each module's own URL (its loopback listener: graphql-ws subscriptions, `/ready`, `/metrics`). */
  moduleUrls: Record<string, string>;
  /** Stops the gateway first (draining client requests, and so the in-process calls they make), then each module in reverse start order. */
  stop(): Promise<void>;
}

/**
 * Starts each module from its package's `build` (its own database, migrations, outbox and
 * consumers, exactly as its own process would), then the gateway, which calls the modules
 * in process: their routing URLs are mapped to their request handlers.
 */
export async function build(config: MonolithConfig): Promise<MonolithHandle> {
  const logger = createLogger('monolith', config.gateway.logLevel);
  const started: { name: string; routingUrl: string | null; handle: SubgraphHandle }[] = [];
  const stopModules = async () => {
    for (const { handle } of started.splice(0).reverse()) await handle.stop();
  };
  let gateway: GatewayHandle;
  try {
    for (const module of config.modules) started.push({ name: module.name, routingUrl: module.routingUrl, handle: await module.start() });
    // A module is recognised by the routing URL the supergraph gives it: its own listener's unless it is published under another.
    const inProcessSubgraphs = new Map<string, InProcessHandler>(started.map(({ routingUrl, handle }) => [routingUrl ?? handle.url, handle.inProcess]));
    gateway = await buildGateway(config.gateway, {
      inProcessSubgraphs,
      readinessChecks: started.flatMap(({ name, handle }) => [
        { name: `${name}.database`, check: () => handle.orm.isConnected() },
        { name: `${name}.nats`, check: () => isNatsConnected(handle.nats), required: false },
      ]),
    });
  } catch (err) {
    await stopModules().catch((stopErr) => logger.error({ err: stopErr }, 'stopping the modules after a failed start failed'));
    throw err;
  }
  logger.info({ url: gateway.url, modules: Object.fromEntries(started.map(({ name, handle }) => [name, handle.url])) }, 'monolith ready');
  let stopping: Promise<void> | null = null;
  return {
    url: gateway.url,
    port: gateway.port,
    moduleUrls: Object.fromEntries(started.map(({ name, handle }) => [name, handle.url])),
    stop() {
      stopping ??= (async () => {
        await gateway.stop();
        await stopModules();
        logger.info({}, 'monolith stopped');
      })();
      return stopping;
    },
  };
}
