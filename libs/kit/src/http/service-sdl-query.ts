import { Kind, parse, SelectionSetNode } from 'graphql';

/**
 * Whether `query` asks for exactly `{ _service { sdl } }` (an operation name aside) and
 * nothing else: what `ficus subgraph introspect` and rover send. The SDL is the contract the
 * subgraph publishes, so it may be read without the gateway; nothing else may. Parsing is
 * bounded to a handful of tokens, so an unsigned caller cannot make it cost anything.
 */
export function isServiceSdlQuery(query: unknown): boolean {
  if (typeof query !== 'string' || query.length > 1_000) return false;
  let document;
  try {
    document = parse(query, { noLocation: true, maxTokens: 20 });
  } catch {
    return false;
  }
  if (document.definitions.length !== 1) return false;
  const operation = document.definitions[0]!;
  if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') return false;
  if (operation.variableDefinitions?.length || operation.directives?.length) return false;
  const service = onlyField(operation.selectionSet, '_service');
  const sdl = service?.selectionSet ? onlyField(service.selectionSet, 'sdl') : null;
  return sdl !== null && sdl.selectionSet === undefined;
}

function onlyField(selectionSet: SelectionSetNode, name: string) {
  if (selectionSet.selections.length !== 1) return null;
  const field = selectionSet.selections[0]!;
  if (field.kind !== Kind.FIELD || field.name.value !== name || field.alias) return null;
  if (field.arguments?.length || field.directives?.length) return null;
  return field;
}
