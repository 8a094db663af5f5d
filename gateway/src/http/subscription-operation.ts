import { DocumentNode, getOperationAST, getVariableValues, GraphQLError, GraphQLSchema, OperationTypeNode, parse, validate } from 'graphql';
import type { SubscriptionRequest } from '../execution/subscription-executor';

/** A GraphQL request as a client sends it, over any transport. */
export interface OperationParams {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * Prepares subscriptions against the API schema: parses and validates each document once per
 * schema and keeps it, since clients repeat a few operations (parsing and validating on every
 * subscribe would cost CPU and hold a copy of the same syntax tree per subscription), then
 * coerces each request's variables.
 */
export class SubscriptionDocuments {
  private readonly bySchema = new WeakMap<GraphQLSchema, Map<string, DocumentNode | GraphQLError[]>>();

  constructor(
    /** Bounded, so that a flood of distinct documents cannot grow memory. */
    private readonly maxPerSchema = 500,
  ) {}

  /** The request the subscription executor runs, or the errors to answer with (each with a code). */
  prepare(schema: GraphQLSchema, params: OperationParams): { request: SubscriptionRequest; errors?: undefined } | { request?: undefined; errors: GraphQLError[] } {
    const document = this.documentFor(schema, params.query);
    if (Array.isArray(document)) return { errors: document };
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

  private documentFor(schema: GraphQLSchema, query: string): DocumentNode | GraphQLError[] {
    let documents = this.bySchema.get(schema);
    if (!documents) this.bySchema.set(schema, (documents = new Map()));
    const known = documents.get(query);
    if (known) return known;
    let prepared: DocumentNode | GraphQLError[];
    try {
      const document = parse(query);
      const invalid = validate(schema, document);
      prepared = invalid.length > 0 ? invalid.map((e) => codedError(e.message, 'GRAPHQL_VALIDATION_FAILED')) : document;
    } catch (err) {
      prepared = [codedError((err as GraphQLError).message, 'GRAPHQL_PARSE_FAILED')];
    }
    if (documents.size >= this.maxPerSchema) documents.clear();
    documents.set(query, prepared);
    return prepared;
  }
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
