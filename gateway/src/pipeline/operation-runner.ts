import { AuthorizedDocument, EngineRefusal, EngineRequest, EngineResult, PlannedSubscription } from '../engine/engine';
import type { GatewayContext } from '../execution/gateway-context';
import { actualCost } from '../safety';
import { OperationUsage } from '../usage/operation-usage';
import type { UsageReporter } from '../usage/usage-reporter';
import type { AdmittedOperation } from './admission';

/** Authorization's stage: what of the admitted operation the caller may see. */
export type Authorize = (admitted: AdmittedOperation, context: GatewayContext) => Promise<AuthorizedDocument>;

/** Nothing to remove: the supergraph has no authorization directives. */
export const allowEverything: Authorize = async (admitted) => ({ document: admitted.document, text: admitted.query, removedKey: '', errors: [] });

export interface OperationRunnerOptions {
  authorize: Authorize;
  usage: UsageReporter | null;
  /** Told of each query and mutation's estimated and actual cost. */
  onCost(estimated: number, actual: number): void;
  /** Adds `extensions.cost` to responses (outside production). */
  costInResponse: boolean;
}

/**
 * The stages after admission, the same for every transport: authorization → plan → execute →
 * usage → the response. Queries and mutations run to one result; a subscription is planned
 * here and its events completed by the stream it opens.
 */
export interface OperationRunner {
  execute(admitted: AdmittedOperation, context: GatewayContext): Promise<EngineResult & { extensions?: Record<string, unknown> }>;
  planSubscription(admitted: AdmittedOperation, context: GatewayContext): Promise<PlannedSubscription>;
}

export function createOperationRunner(options: OperationRunnerOptions): OperationRunner {
  const usage = new OperationUsage();
  /** The request for the engine, or the answer when authorization left nothing to run. */
  const engineRequest = async (admitted: AdmittedOperation, context: GatewayContext): Promise<EngineRequest | EngineResult> => {
    const authorized = await options.authorize(admitted, context);
    if (!authorized.document) return { data: null, errors: [...authorized.errors] };
    return {
      document: admitted.document,
      operation: admitted.operation,
      operationName: admitted.operationName,
      variables: admitted.coercedVariables,
      authorized: { ...authorized, document: authorized.document },
      context,
    };
  };
  // An operation resolved against the schema counts as used, whether or not its execution had errors, as in Apollo's usage reporting.
  const recordUsage = (admitted: AdmittedOperation, context: GatewayContext) => {
    if (!options.usage) return;
    try {
      options.usage.record(usage.of(admitted.served.apiSchema, admitted.document, admitted.query, admitted.operation.name?.value ?? null, context.client ?? noClient));
    } catch (err) {
      context.logger.warn({ err }, 'usage reporting skipped an operation');
    }
  };
  return {
    async execute(admitted, context) {
      const request = await engineRequest(admitted, context);
      const result = 'authorized' in request ? await admitted.served.loaded.execute(request) : request;
      recordUsage(admitted, context);
      const { served, document, operationName, coercedVariables, estimatedCost } = admitted;
      try {
        const actual = actualCost(served.costModel, served.apiSchema, document, operationName, coercedVariables, result.data ?? null);
        options.onCost(estimatedCost, actual);
        if (options.costInResponse) return { ...result, extensions: { cost: { estimated: estimatedCost, actual } } };
      } catch (err) {
        context.logger.warn({ err }, 'actual cost not measured');
      }
      return result;
    },
    async planSubscription(admitted, context) {
      const request = await engineRequest(admitted, context);
      if (!('authorized' in request)) throw new EngineRefusal(request.errors?.[0]?.message ?? 'Unauthorized field or type', 'UNAUTHORIZED_FIELD_OR_TYPE');
      const planned = await admitted.served.loaded.planSubscription(request);
      recordUsage(admitted, context);
      return planned;
    },
  };
}

const noClient = { name: '', version: '' };
