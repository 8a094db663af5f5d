import { ConstDirectiveNode, DocumentNode, Kind } from 'graphql';

/** One feature a supergraph links: `schema @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)`. */
export interface SupergraphLink {
  url: string;
  /** The prefix the link renames the feature's names to, if it does. */
  as: string | null;
  /** `for:`: EXECUTION and SECURITY features must be understood by whoever serves the supergraph. */
  purpose: string | null;
  directive: ConstDirectiveNode;
}

/** The supergraph's links, from `@link(url:)` and the older `@core(feature:)`. */
export function supergraphLinks(supergraph: DocumentNode): SupergraphLink[] {
  const links: SupergraphLink[] = [];
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'link' && name !== 'core') continue;
      const url = stringArgument(directive, name === 'core' ? 'feature' : 'url');
      const purpose = directive.arguments?.find((argument) => argument.name.value === 'for')?.value;
      if (url !== null) links.push({ url, as: stringArgument(directive, 'as'), purpose: purpose?.kind === Kind.ENUM ? purpose.value : null, directive });
    }
  }
  return links;
}

export function stringArgument(directive: ConstDirectiveNode, name: string): string | null {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}
