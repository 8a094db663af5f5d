import type { LexicalLimits, OperationLimits } from '@ficus/kit';

/**
 * What the registry's GraphQL endpoints (`/graphql`, rover's `/api/graphql`, `/api/uplink`) parse
 * at most. The CLIs and the console send small documents: SDLs and manifests travel as variables.
 */
export const registryLexicalLimits: LexicalLimits = { maxTokens: 15_000, maxRecursion: 500 };

/**
 * What one operation on those endpoints may select. The registry's answers hold whole SDLs and
 * supergraphs, and an alias asks for one again: 1,400 aliases of `supergraph { sdl }` were a
 * 19 MB answer on the demo graph, and would be gigabytes on a graph of 40 subgraphs. Rover, the
 * CLI, the console and Apollo Router's Uplink client select each field once, at most 8 deep.
 */
export const registryOperationLimits: OperationLimits = { maxDepth: 20, maxAliases: 30 };
