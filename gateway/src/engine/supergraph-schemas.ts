import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Schema, Supergraph } from '@apollo/federation-internals';
import { authorizationFeatures } from '../authorization';
import type { GraphQLSchema } from 'graphql';

/** The supergraph features the gateway serves: @apollo/gateway's, and the authorization directives it enforces. */
export const servedFeatures: ReadonlySet<string> = new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...authorizationFeatures]);

/** What every engine reads off a supergraph: the API schema clients see, and each subgraph's routing URL. */
export interface SupergraphSchemas {
  supergraph: Supergraph;
  apiSchema: Schema;
  apiGraphQLSchema: GraphQLSchema;
  subgraphUrls: ReadonlyMap<string, string>;
}

/**
 * Reads a supergraph. The security features (@authenticated, @requiresScopes, @policy) are the
 * gateway's to enforce, so they are accepted here (@apollo/gateway would refuse the supergraph);
 * features no engine implements are refused.
 */
export function readSupergraph(sdl: string): SupergraphSchemas {
  const supergraph = Supergraph.build(sdl, { supportedFeatures: new Set(servedFeatures) });
  const apiSchema = supergraph.apiSchema();
  const subgraphUrls = new Map<string, string>();
  for (const subgraph of supergraph.subgraphs().values()) subgraphUrls.set(subgraph.name, subgraph.url);
  // The API schema declares @defer, as Apollo Router's does: Sandbox and Apollo Client send it only
  // to a schema that has it, and validation accepts it only then.
  return { supergraph, apiSchema, apiGraphQLSchema: apiSchema.toGraphQLJSSchema({ includeDefer: true }), subgraphUrls };
}
