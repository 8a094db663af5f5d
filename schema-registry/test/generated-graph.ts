/**
 * A federated graph of `size` subgraphs, large enough that composing it takes a noticeable time:
 * entities shared with @key (each owned by one subgraph, extended by two others), interfaces,
 * unions, enums and inputs. Deterministic: the same size gives the same SDL.
 */
export function generatedGraph(size: number, itemsPerSubgraph = 60): { name: string; sdl: string }[] {
  const entities = size * 10;
  return Array.from({ length: size }, (_, s) => {
    const parts = [`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])`];
    const query: string[] = [];
    for (let e = 0; e < entities; e++) {
      if (s === e % size) {
        parts.push(`type E${e} @key(fields: "id") {\n  id: ID!\n  name: String @shareable\n  kind: Kind${s}\n  f${s}_0: Int\n  f${s}_1: String\n}`);
        query.push(`  e${e}(id: ID!): E${e}`);
      } else if (s === (e + 7) % size || s === (e + 13) % size) {
        parts.push(`type E${e} @key(fields: "id") {\n  id: ID!\n  name: String @shareable\n  g${s}_a: Float\n  g${s}_b(filter: Filter${s}): [Item${s}_0!]\n}`);
      }
    }
    parts.push(`enum Kind${s} { ${Array.from({ length: 6 }, (_, i) => `K${s}_${i}`).join(' ')} }`);
    parts.push(`input Filter${s} {\n  limit: Int = 10\n  after: String\n  kind: Kind${s}\n}`);
    parts.push(`interface Node${s} {\n  id: ID!\n  label: String\n}`);
    for (let i = 0; i < itemsPerSubgraph; i++) {
      parts.push(
        `type Item${s}_${i} implements Node${s} {\n  id: ID!\n  label: String\n  next: Item${s}_${(i + 1) % itemsPerSubgraph}\n  entity: E${(s + i * size) % entities}\n  list(first: Int, filter: Filter${s}): [Item${s}_${(i + 2) % itemsPerSubgraph}!]!\n}`,
      );
    }
    parts.push(`union Result${s} = ${Array.from({ length: Math.min(8, itemsPerSubgraph) }, (_, i) => `Item${s}_${i}`).join(' | ')}`);
    query.push(`  search${s}(term: String!, filter: Filter${s}): [Result${s}!]!`, `  node${s}(id: ID!): Node${s}`, `  item${s}(id: ID!): Item${s}_0`);
    parts.push(`type Query {\n${query.join('\n')}\n}`);
    return { name: `sg${String(s).padStart(2, '0')}`, sdl: `${parts.join('\n\n')}\n` };
  });
}
