import type { Logger } from '@ficus/kit/service';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../gateway-metrics';
import type { ClientAddressOf } from '../http/client-address';
import { clientAddress, createRateLimiter, rateDecisionCounter, TrustedProxies } from '../rate-limit';
import { CostModel } from '../safety';
import { persistedQueriesCacheFile, TrustedDocuments } from '../trusted-documents';
import type { LoadedSupergraph } from '../engine/engine';
import { Admit, createAdmission, ServedGraph } from './admission';
import { PreparedDocuments } from './prepared-documents';

/** The checks before planning, with what they follow and hold: the trusted document list, the rate budgets. */
export interface RequestPipeline {
  admit: Admit;
  clientAddressOf: ClientAddressOf;
  /** Stops following the registry's list and closes the rate limiter's store. */
  stop(): Promise<void>;
}

export interface RequestPipelineDependencies {
  /** The supergraph served now, or null before one is loaded. */
  served: () => LoadedSupergraph | null;
  metrics: GatewayMetrics;
  logger: Logger;
}

/** Builds the request pipeline's checks from the config. Starts following the trusted document list, if there is one. */
export async function createRequestPipeline(config: GatewayConfig, deps: RequestPipelineDependencies): Promise<RequestPipeline> {
  const registry = config.supergraph.kind === 'registry' ? config.supergraph.registry : null;
  const trustedDocuments = new TrustedDocuments({
    config: config.trustedDocuments,
    registry,
    cacheFile: registry && config.supergraph.kind === 'registry' ? persistedQueriesCacheFile(config.dataDir, registry.graphRef) : null,
    logger: deps.logger,
    onOutcome: (outcome) => deps.metrics.trustedDocuments.inc({ outcome }),
    allowIntrospection: config.introspection,
  });
  await trustedDocuments.start();
  const rateLimiter = await createRateLimiter(config.rateLimit, {
    logger: deps.logger.child({ component: 'rate-limit' }),
    observe: rateDecisionCounter(deps.metrics.registry),
  });
  const { safety } = config;
  const documents = new PreparedDocuments({
    maxTokens: safety.lexical.maxTokens,
    maxRecursion: safety.lexical.maxRecursion,
    limits: safety.limits,
    limitsMode: safety.limitsMode,
    introspection: config.introspection,
  });

  // One cost model per supergraph, built on its first operation.
  const served = new WeakMap<LoadedSupergraph, ServedGraph>();
  const servedGraph = (): ServedGraph | null => {
    const loaded = deps.served();
    if (!loaded) return null;
    let graph = served.get(loaded);
    if (!graph) {
      const costModel = CostModel.fromSupergraph(loaded.sdl, { defaultListSize: safety.cost.defaultListSize });
      served.set(loaded, (graph = { loaded, supergraphId: loaded.id, apiSchema: loaded.apiSchema, costModel }));
    }
    return graph;
  };

  const trustedProxies = new TrustedProxies(config.rateLimit.trustedProxies);
  return {
    admit: createAdmission({
      served: servedGraph,
      trustedDocuments,
      documents,
      cost: safety.cost,
      rateLimiter,
      onRefused: (code) => deps.metrics.countRefusal(code),
      onOverLimit: (limit) => deps.metrics.overLimit.inc({ limit }),
      logger: deps.logger,
    }),
    clientAddressOf: (socketAddress, forwardedFor) => clientAddress(socketAddress, forwardedFor, trustedProxies),
    async stop() {
      await trustedDocuments.stop();
      await rateLimiter?.close();
    },
  };
}
