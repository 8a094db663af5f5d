import { ConstDirectiveNode, DocumentNode, Kind, ValueNode } from 'graphql';

/** What `@cost` and `@listSize` are called in one supergraph. */
export interface CostDirectiveNames {
  cost: string;
  listSize: string;
}

const costSpec = /^https:\/\/specs\.apollo\.dev\/cost\/v\d+\.\d+$/;

/**
 * Reads the names a supergraph gives the cost spec's directives from its
 * `@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])`: composition writes
 * `@cost` (the spec's own name) and `@listSize`, but a link's `as:` or an import's `as` renames
 * them (`@cost__listSize` when not imported). Null when no subgraph uses them.
 */
export function costDirectiveNames(supergraph: DocumentNode): CostDirectiveNames | null {
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArgument(link, 'url');
      if (!url || !costSpec.test(url)) continue;
      const prefix = stringArgument(link, 'as') ?? 'cost';
      const imports = importedNames(link);
      return {
        cost: imports.get('@cost') ?? prefix,
        listSize: imports.get('@listSize') ?? `${prefix}__listSize`,
      };
    }
  }
  return null;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | null {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}

/** `import: ["@a", { name: "@b", as: "@c" }]` as a map from the spec's name to the local one, without `@`. */
function importedNames(link: ConstDirectiveNode): Map<string, string> {
  const names = new Map<string, string>();
  const list = link.arguments?.find((argument) => argument.name.value === 'import')?.value;
  if (list?.kind !== Kind.LIST) return names;
  for (const entry of list.values) {
    if (entry.kind === Kind.STRING) names.set(entry.value, entry.value.replace(/^@/, ''));
    if (entry.kind === Kind.OBJECT) {
      const field = (key: string): ValueNode | undefined => entry.fields.find((f) => f.name.value === key)?.value;
      const name = field('name');
      const as = field('as');
      if (name?.kind === Kind.STRING) names.set(name.value, (as?.kind === Kind.STRING ? as.value : name.value).replace(/^@/, ''));
    }
  }
  return names;
}
