import type { Identity, Logger } from '@ficus/kit/service';
import { DocumentNode, getOperationAST, getVariableValues, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { LoadedSupergraph } from '../engine/engine';
import { gatewayError, Refusal, refusal } from '../errors';
import { RateLimiter, rateLimitKey } from '../rate-limit';
import { CostEstimateError, CostModel, estimateCost } from '../safety';
import type { TrustedDocuments } from '../trusted-documents';
import type { OperationParams } from './operation-params';
import type { PreparedDocuments } from './prepared-documents';

/** Who sends an operation, as far as the checks care. */
export interface Caller {
  identity: Identity | null;
  clientAddress: string;
}

/** The supergraph served now, as the checks see it. */
export interface ServedGraph {
  /** What plans and runs the operation: the same supergraph the checks ran against. */
  loaded: LoadedSupergraph;
  supergraphId: string;
  apiSchema: GraphQLSchema;
  costModel: CostModel;
}

/** An operation every check let through, ready to plan and run. */
export interface AdmittedOperation {
  /** The text that runs: the request's, or the trusted document its id names. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null;
  /** As the client sent them; the executor coerces them against its schema. */
  variables: Record<string, unknown>;
  coercedVariables: Record<string, unknown>;
  estimatedCost: number;
  served: ServedGraph;
}

export type Admission = { admitted: AdmittedOperation; refused?: undefined } | { refused: Refusal; admitted?: undefined };

export interface CostRules {
  maxCost: number;
  /** `measure` computes and reports costs without refusing. */
  mode: 'enforce' | 'measure';
}

export interface AdmissionOptions {
  served: () => ServedGraph | null;
  trustedDocuments: TrustedDocuments;
  documents: PreparedDocuments;
  cost: CostRules;
  /** Null when rate limits are off. */
  rateLimiter: RateLimiter | null;
  /** Told of every refusal by code, and of every limit exceeded in warn mode. */
  onRefused(code: string): void;
  onOverLimit(code: string): void;
  logger: Logger;
}

/**
 * The checks every operation passes, whatever its transport, before anything is planned:
 * trusted documents → lexical limits → parse → operation limits → validation → variables →
 * cost → the caller's rate budget. Each is a plain function of the document, variables, API
 * schema and caller, so they stay as they are whichever engine runs the plan.
 */
export type Admit = (params: OperationParams, caller: Caller) => Promise<Admission>;

export function createAdmission(options: AdmissionOptions): Admit {
  const costs = new KnownCosts();
  const refuse = (refused: Refusal): Admission => {
    for (const error of refused.errors) options.onRefused(String(error.extensions.code));
    return { refused };
  };

  return async (params, caller) => {
    const served = options.served();
    if (!served) return refuse(refusal('SERVICE_UNAVAILABLE', 'no supergraph is loaded yet: the schema registry has not served one'));

    const resolved = options.trustedDocuments.resolve(params);
    if ('refused' in resolved && resolved.refused) return refuse(resolved.refused);
    const { query } = resolved;

    const prepared = options.documents.prepare(served.apiSchema, query);
    if (prepared.refused) return refuse(prepared.refused);
    // Only in warn mode does a document over a limit get this far: it is served, and reported.
    for (const over of prepared.overLimits) {
      options.onOverLimit(over.code);
      options.logger.warn({ limit: over.code, measured: over.measured, max: over.limit }, `operation over a limit: ${over.message}`);
    }
    const { document } = prepared;

    const operationName = params.operationName ?? null;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return refuse(
        refusal('OPERATION_RESOLUTION_FAILURE', operationName ? `the document has no operation named "${operationName}"` : 'the document has several operations: name one with operationName'),
      );
    }
    const variables = params.variables ?? {};
    const coerced = getVariableValues(served.apiSchema, operation.variableDefinitions ?? [], variables, { maxErrors: 20 });
    if (coerced.errors) return refuse({ status: 400, errors: coerced.errors.map((e) => gatewayError('BAD_USER_INPUT', e.message)) });

    let estimatedCost: number;
    try {
      estimatedCost = costs.of(served, operation, () => estimateCost(served.costModel, served.apiSchema, document, operationName, coerced.coerced));
    } catch (err) {
      if (!(err instanceof CostEstimateError)) throw err;
      return refuse(refusal('COST_QUERY_PARSE_FAILURE', err.message));
    }
    if (estimatedCost > options.cost.maxCost) {
      if (options.cost.mode === 'enforce') {
        return refuse(
          refusal('COST_ESTIMATED_TOO_EXPENSIVE', `the operation's estimated cost is ${estimatedCost}, over the maximum of ${options.cost.maxCost}`, {
            cost: { estimated: estimatedCost, max: options.cost.maxCost },
          }),
        );
      }
      options.onOverLimit('COST_ESTIMATED_TOO_EXPENSIVE');
    }

    if (options.rateLimiter) {
      const decision = await options.rateLimiter.consume(rateLimitKey(caller.identity, caller.clientAddress), estimatedCost);
      if (!decision.allowed) {
        return refuse(
          refusal('REQUEST_RATE_LIMITED', decision.message, { retryAfterSeconds: decision.retryAfterSeconds }, { 'retry-after': String(decision.retryAfterSeconds) }),
        );
      }
    }

    return {
      admitted: { query, document, operation, operationName, variables, coercedVariables: coerced.coerced, estimatedCost, served },
    };
  };
}

/**
 * The estimated costs of operations without variables, which depend on nothing else than the
 * document and the supergraph: a repeated one is priced once. Kept as long as the document is
 * (the prepared-documents cache bounds that).
 */
class KnownCosts {
  private readonly bySupergraph = new WeakMap<ServedGraph, WeakMap<OperationDefinitionNode, number>>();

  of(served: ServedGraph, operation: OperationDefinitionNode, estimate: () => number): number {
    if (operation.variableDefinitions?.length) return estimate();
    let known = this.bySupergraph.get(served);
    if (!known) this.bySupergraph.set(served, (known = new WeakMap()));
    let cost = known.get(operation);
    if (cost === undefined) known.set(operation, (cost = estimate()));
    return cost;
  }
}
