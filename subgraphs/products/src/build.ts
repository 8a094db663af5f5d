import { loadSchemaFile, startSubgraph, SubgraphConfig, SubgraphHandle } from '@ficus/kit';
import type { ProductsContext } from './context';
import { migrations } from './db/migrations';
import { Product } from './domain/product';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

/** Wires the products subgraph; `config.port` 0 picks a free port. */
export function build(config: SubgraphConfig): Promise<SubgraphHandle> {
  return startSubgraph<ProductsContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [Product],
    migrations,
    publishesEvents: true,
    context: (base) => ({ ...base, loaders: createLoaders(base.em) }),
  });
}
