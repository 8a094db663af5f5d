import { DocumentNode, Kind } from 'graphql';
import { stringArgument, supergraphLinks } from '../../supergraph/supergraph-links';

/**
 * Each subgraph's routing URL, by name, as the supergraph's join spec gives them:
 * `enum join__Graph { USERS @join__graph(name: "users", url: "http://…") }`. A link's `as:`
 * renames the spec's prefix (`@link(url: "https://specs.apollo.dev/join/v0.5", as: "j")`).
 */
export function subgraphUrlsOf(supergraph: DocumentNode): ReadonlyMap<string, string> {
  const join = supergraphLinks(supergraph).find(({ url }) => url.startsWith('https://specs.apollo.dev/join/'));
  const prefix = join?.as ?? 'join';
  const urls = new Map<string, string>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== `${prefix}__Graph`) continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === `${prefix}__graph`);
      const name = graph && stringArgument(graph, 'name');
      const url = graph && stringArgument(graph, 'url');
      if (name && typeof url === 'string') urls.set(name, url);
    }
  }
  return urls;
}
