import type { LexicalLimits } from '@ficus/kit';

/**
 * What the registry's GraphQL endpoints (`/graphql`, rover's `/api/graphql`) parse at most. The
 * CLIs and the console send small documents: SDLs and manifests travel as variables.
 */
export const registryLexicalLimits: LexicalLimits = { maxTokens: 15_000, maxRecursion: 500 };
