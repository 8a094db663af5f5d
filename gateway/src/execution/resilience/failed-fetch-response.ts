import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { DocumentNode, Kind, OperationDefinitionNode, parse, SelectionSetNode } from 'graphql';

/**
 * A subgraph response standing for a fetch that was not made (or failed), with one error
 * per field the fetch would have filled: its root fields, or each entity it would have
 * completed (`_entities.i`, which @apollo/gateway maps to the entity's path in the client's
 * response). The gateway then serves the other subgraphs' data, with these fields null.
 * Thrown instead, the error would reach the client with no path at all.
 */
export function failedFetchResponse(
  options: GraphQLDataSourceProcessOptions,
  error: { message: string; extensions: Record<string, unknown> },
): SubgraphResponse {
  return { errors: pathsOf(options).map((path) => ({ ...error, path })) };
}

export type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

function pathsOf(options: GraphQLDataSourceProcessOptions): (string | number)[][] {
  const representations = options.request.variables?.representations;
  if (Array.isArray(representations)) return representations.map((_, index) => ['_entities', index]);
  const document = 'document' in options && options.document ? options.document : parseQuietly(options.request.query);
  const operation = document?.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!document || !operation) return [[]];
  const keys = responseKeys(operation.selectionSet, document, new Set());
  return keys.length > 0 ? keys.map((key) => [key]) : [[]];
}

/** The response keys a selection set fills at its level, through fragments (each fragment once). */
function responseKeys(selectionSet: SelectionSetNode, document: DocumentNode, seen: Set<string>): string[] {
  const keys = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      for (const key of responseKeys(selection.selectionSet, document, seen)) keys.add(key);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) for (const key of responseKeys(fragment.selectionSet, document, seen)) keys.add(key);
    }
  }
  return [...keys];
}

function parseQuietly(query: string | undefined): DocumentNode | null {
  if (!query) return null;
  try {
    return parse(query);
  } catch {
    return null;
  }
}
