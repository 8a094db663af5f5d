import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@ficus/kit/service';
import type { SupergraphSource } from '../config';
import { loadSupergraphSdl } from './load-supergraph';
import { RegistrySupergraph } from './registry-supergraph';

/** What the gateway serves, whatever the source. */
export interface OpenedSupergraph {
  /** What ApolloGateway loads: a fixed SDL, or a manager that keeps it up to date. */
  readonly gatewayInput: string | SupergraphManager;
  /**
   * Whether a supergraph is at hand now. If not (registry down or empty, no cache), the
   * gateway listens unready and loads the first supergraph the registry serves.
   */
  readonly availableAtStart: boolean;
  /** Stops waiting for a first supergraph that has not come (shutdown). */
  abandon(): Promise<void>;
}

/**
 * Reads, composes or fetches the supergraph; a file or config that fails throws `SupergraphLoadError`.
 * `serve` is how the gateway serves a supergraph from the registry or its cache found before it
 * starts, throwing when it cannot: the next candidate is tried then.
 */
export async function openSupergraph(source: SupergraphSource, logger: Logger, serve: (sdl: string) => void): Promise<OpenedSupergraph> {
  if (source.kind !== 'registry') {
    const sdl = await loadSupergraphSdl(source, logger);
    return { gatewayInput: sdl, availableAtStart: true, abandon: async () => undefined };
  }
  const registry = new RegistrySupergraph({ registry: source.registry, cacheFile: source.cacheFile, logger, serve });
  const availableAtStart = await registry.prepare();
  return { gatewayInput: registry, availableAtStart, abandon: () => registry.stop() };
}
