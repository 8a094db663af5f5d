import { DocumentNode, getOperationAST, GraphQLSchema } from 'graphql';
import { CostEstimateError } from './cost-estimate-error';
import type { CostModel } from './cost-model';
import { SelectionCost } from './selection-cost';

/** What running a mutation costs before any field (the spec's operation weight; queries and subscriptions cost 0). */
export const mutationWeight = 10;

/**
 * The estimated cost of the operation `operationName` selects, before it runs (Apollo Router's
 * static estimate): an upper bound from the document, its variables (slicing arguments such as
 * `first` may be variables) and the supergraph's `@cost`/`@listSize`. `variables` are the
 * coerced values. Throws `CostEstimateError` (COST_QUERY_PARSE_FAILURE) when it cannot price it.
 */
export function estimateCost(
  model: CostModel,
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) throw new CostEstimateError(operationName ? `The document has no operation ${operationName}` : 'The document has several operations and none is named');
  const root = apiSchema.getRootType(operation.operation);
  if (!root) throw new CostEstimateError(`The schema has no ${operation.operation} type`);
  const base = operation.operation === 'mutation' ? mutationWeight : 0;
  return base + new SelectionCost(model, apiSchema, variables, document).ofSelectionSet(operation.selectionSet, root, null);
}
