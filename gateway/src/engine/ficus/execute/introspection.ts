import { DocumentNode, execute, FragmentDefinitionNode, GraphQLFieldResolver, GraphQLSchema, Kind, OperationDefinitionNode, print, SelectionSetNode, visit } from 'graphql';
import type { EngineRequest, EngineResult, FormattedError } from '../../engine';
import type { ResponseObject } from './response-data';

/** Whether the operation asks for `__schema` or `__type` at its root. */
export function selectsIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  return operation.operation === 'query' && rootFieldNames(document, operation.selectionSet).some(isIntrospectionField);
}

/**
 * Introspection is answered from the API schema by graphql-js. An operation that also asks
 * for data has its plan made without the introspection fields (no subgraph serves them) and
 * run first; graphql-js then completes the whole response over that data. Only introspection
 * queries (Sandbox, codegen) take this slower path.
 */
export async function executeIntrospection(
  apiSchema: GraphQLSchema,
  request: EngineRequest,
  runPlan: (text: string) => Promise<{ data: ResponseObject; errors: FormattedError[] }>,
): Promise<EngineResult> {
  const onlyIntrospection = rootFieldNames(request.document, request.operation.selectionSet).every((name) => name.startsWith('__'));
  const planned = onlyIntrospection ? { data: {}, errors: [] } : await runPlan(print(withoutIntrospection(request.authorized.document)));
  const result = await execute({
    schema: apiSchema,
    document: request.document,
    operationName: request.operationName ?? undefined,
    variableValues: request.variables,
    rootValue: planned.data,
    fieldResolver: readMergedField,
  });
  const errors = [...planned.errors, ...(result.errors ?? []).map((error) => error.toJSON())];
  return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
}

const readMergedField: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) =>
  typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[info.path.key as string] : undefined;

const isIntrospectionField = (name: string) => name === '__schema' || name === '__type';

/**
 * The document with every `__schema` and `__type` selection removed (they are valid on the query
 * root only), and with the fragments and spreads that leaves empty.
 */
function withoutIntrospection(document: DocumentNode): DocumentNode {
  let current = visit(document, { Field: (node) => (isIntrospectionField(node.name.value) ? null : undefined) });
  for (;;) {
    const empty = new Set(
      current.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION && d.selectionSet.selections.length === 0 ? [d.name.value] : [])),
    );
    const pruned = visit(current, {
      FragmentDefinition: (node) => (empty.has(node.name.value) ? null : undefined),
      FragmentSpread: (node) => (empty.has(node.name.value) ? null : undefined),
      InlineFragment: (node) => (node.selectionSet.selections.length === 0 ? null : undefined),
    });
    // visit returns its input when it changed nothing.
    if (pruned === current) return current;
    current = pruned;
  }
}

/** The names of the fields an operation selects at its root, through inline and named fragments. */
function rootFieldNames(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(document, selection.selectionSet, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
    return fragment ? rootFieldNames(document, fragment.selectionSet, seen) : [];
  });
}
