import { DocumentNode, getOperationAST, getVariableValues, GraphQLError, GraphQLSchema, OperationTypeNode, parse, validate } from 'graphql';
import type { SubscriptionRequest } from '../execution/subscription-executor';

/** A GraphQL request as a client sends it, over any transport. */
export interface OperationParams {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * Parses and validates a subscription against the API schema and coerces its variables: the
 * request the subscription executor runs, or the errors to answer with (each with a code).
 */
export function prepareSubscription(
  schema: GraphQLSchema,
  params: OperationParams,
): { request: SubscriptionRequest; errors?: undefined } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(params.query);
  } catch (err) {
    return { errors: [codedError((err as GraphQLError).message, 'GRAPHQL_PARSE_FAILED')] };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { errors: invalid.map((e) => codedError(e.message, 'GRAPHQL_VALIDATION_FAILED')) };
  const operationName = params.operationName ?? undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) return { errors: [codedError('the document names no operation to run', 'GRAPHQL_VALIDATION_FAILED')] };
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return { errors: [codedError('only subscriptions are served here; send queries and mutations as plain HTTP requests', 'BAD_REQUEST')] };
  }
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], params.variables ?? {});
  if (variables.errors) return { errors: variables.errors.map((e) => codedError(e.message, 'BAD_USER_INPUT')) };
  return { request: { document, operationName, variables: variables.coerced } };
}

/** Whether the request is a subscription, judged by its document alone; false when it does not parse. */
export function isSubscription(params: OperationParams): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === OperationTypeNode.SUBSCRIPTION;
  } catch {
    return false;
  }
}

export function codedError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}
