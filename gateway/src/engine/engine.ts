import type { DocumentNode, FormattedExecutionResult, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../execution/gateway-context';

/**
 * The seam between the request pipeline and what plans and runs operations. An engine loads
 * each supergraph the gateway serves; what it loads plans and executes queries and mutations
 * and opens subscription streams. Engines live one per folder here: `ficus` (ours, the default)
 * and `apollo-gateway` (@apollo/gateway's planner and executor, the reference for differential tests).
 */
export interface Engine {
  readonly name: EngineName;
  /** Throws when the supergraph cannot be served (it does not build, or uses what the engine lacks). */
  load(supergraph: SupergraphDocument): LoadedSupergraph;
  /** Closes what outlives one supergraph (connection pools). */
  close(): Promise<void>;
}

export type EngineName = 'ficus' | 'apollo-gateway';

export interface SupergraphDocument {
  /** The sha256 of the SDL. */
  id: string;
  sdl: string;
}

/** One operation the pipeline admitted and authorized, ready to plan and execute. */
export interface EngineRequest {
  /** The client's document: the response is shaped by it. */
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null;
  /** The client's variables, coerced against the API schema. */
  variables: Record<string, unknown>;
  /** What authorization left of the document: the plan is made from it. */
  authorized: AuthorizedDocument & { document: DocumentNode };
  context: GatewayContext;
  /**
   * The client takes an incremental response (multipart/mixed, deferSpec=20220824): an active
   * @defer may then be answered in parts. Without it, deferred fragments come in the one result.
   */
  incremental?: boolean;
}

export interface AuthorizedDocument {
  /** The document to plan (the client's, when nothing was removed); null when nothing of it is left to run. */
  document: DocumentNode | null;
  /** Its text, when it is the client's; printed from `document` otherwise. */
  text: string | null;
  /** Names what was removed ('' for nothing): plans differ by it. */
  removedKey: string;
  /** UNAUTHORIZED_FIELD_OR_TYPE errors at the removed fields' paths. */
  errors: readonly FormattedError[];
}

export type FormattedError = NonNullable<FormattedExecutionResult['errors']>[number];

export interface EngineResult {
  data?: Record<string, unknown> | null;
  errors?: FormattedError[];
}

/**
 * A result in parts, for an operation with an active @defer sent by a client that takes them:
 * the initial result without the deferred fragments, then each deferred fragment as it completes.
 */
export interface IncrementalResult {
  initial: EngineResult & { hasNext: boolean };
  subsequent: AsyncIterable<SubsequentResult>;
}

export interface SubsequentResult {
  incremental?: IncrementalPayload[];
  /** Errors of a deferred fragment that concern no single object it completes. */
  errors?: FormattedError[];
  hasNext: boolean;
  extensions?: Record<string, unknown>;
}

/** A deferred fragment's fields on one object: `path` leads to the object (with list indices). */
export interface IncrementalPayload {
  /** Null when a non-null field of the fragment was null: the error does not reach beyond the fragment. */
  data: Record<string, unknown> | null;
  path: (string | number)[];
  label?: string;
  errors?: FormattedError[];
}

export function isIncremental(result: EngineResult | IncrementalResult): result is IncrementalResult {
  return 'subsequent' in result;
}

/** A subscription, planned: the stream to open on one subgraph, and how to complete each of its events. */
export interface PlannedSubscription {
  subgraph: string;
  url: string;
  query: string;
  variables: Record<string, unknown>;
  complete(event: FormattedExecutionResult): Promise<EngineResult>;
}

export interface LoadedSupergraph {
  readonly id: string;
  readonly sdl: string;
  /** The schema clients see: validation and cost run against it. */
  readonly apiSchema: GraphQLSchema;
  /** An incremental result only when the request is `incremental` and the operation has an active @defer. */
  execute(request: EngineRequest): Promise<EngineResult | IncrementalResult>;
  /** Throws an `EngineRefusal` when the subscription cannot be planned. */
  planSubscription(request: EngineRequest): Promise<PlannedSubscription>;
}

/** The engine cannot serve an operation it was given (it cannot be planned, or not on this transport). */
export class EngineRefusal extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'EngineRefusal';
  }
}
