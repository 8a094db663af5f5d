import { execute, GraphQLFieldResolver, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { EngineRequest, EngineResult, FormattedError } from '../../engine';
import type { ResponseObject } from './response-data';

/** Whether the operation asks for `__schema` or `__type` at its root. */
export function selectsIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.operation === 'query' && rootFieldNames(operation.selectionSet).some((name) => name === '__schema' || name === '__type');
}

/**
 * Introspection is answered from the API schema by graphql-js. An operation that also asks
 * for data runs its plan first; graphql-js then completes the whole response over that data.
 * Only introspection queries (Sandbox, codegen) take this slower path.
 */
export async function executeIntrospection(
  apiSchema: GraphQLSchema,
  request: EngineRequest,
  runPlan: (text: null) => Promise<{ data: ResponseObject; errors: FormattedError[] }>,
): Promise<EngineResult> {
  const onlyIntrospection = rootFieldNames(request.operation.selectionSet).every((name) => name.startsWith('__'));
  const planned = onlyIntrospection ? { data: {}, errors: [] } : await runPlan(null);
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

function rootFieldNames(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet);
    return ['…'];
  });
}
