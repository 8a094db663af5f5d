import { AuthorizedDocument, EngineRefusal, EngineRequest, EngineResult, IncrementalResult, isIncremental, PlannedSubscription, SubsequentResult } from '../engine/engine';
import type { GatewayContext } from '../execution/gateway-context';
import { actualCost } from '../safety';
import { OperationUsage } from '../usage/operation-usage';
import type { UsageReporter } from '../usage/usage-reporter';
import type { AdmittedOperation } from './admission';

/** Authorization's stage: what of the admitted operation the caller may see. */
export type Authorize = (admitted: AdmittedOperation, context: GatewayContext) => Promise<AuthorizedDocument>;

export type OperationResult = (EngineResult & { extensions?: Record<string, unknown> }) | IncrementalResult;

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
  /** With `incremental`, an operation with an active @defer is answered in parts (its cost measured once the last is out). */
  execute(admitted: AdmittedOperation, context: GatewayContext, options?: { incremental?: boolean }): Promise<OperationResult>;
  planSubscription(admitted: AdmittedOperation, context: GatewayContext): Promise<PlannedSubscription>;
}

/** Outside development, one response in this many is priced for the actual-cost histogram. */
const actualCostSampleEvery = 8;

export function createOperationRunner(options: OperationRunnerOptions): OperationRunner {
  let served = 0;
  const usage = new OperationUsage();
  /** The request for the engine, or the answer when authorization left nothing to run. */
  const engineRequest = async (admitted: AdmittedOperation, context: GatewayContext, incremental = false): Promise<EngineRequest | EngineResult> => {
    const authorized = await options.authorize(admitted, context);
    // Nothing left to run: unauthorized selections answer null with their errors; if every one removed was also skipped, the operation selected nothing.
    if (!authorized.document) return authorized.errors.length > 0 ? { data: null, errors: [...authorized.errors] } : { data: {} };
    return {
      document: admitted.document,
      operation: admitted.operation,
      operationName: admitted.operationName,
      variables: admitted.coercedVariables,
      authorized: { ...authorized, document: authorized.document },
      context,
      incremental,
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
    async execute(admitted, context, executeOptions) {
      const request = await engineRequest(admitted, context, executeOptions?.incremental ?? false);
      const result = 'authorized' in request ? await admitted.served.loaded.execute(request) : request;
      recordUsage(admitted, context);
      const { document, operationName, coercedVariables, estimatedCost } = admitted;
      const measure = (data: Record<string, unknown> | null): Record<string, unknown> | undefined => {
        try {
          const actual = actualCost(admitted.served.costModel, admitted.served.apiSchema, document, operationName, coercedVariables, data);
          options.onCost(estimatedCost, actual);
          return options.costInResponse ? { cost: { estimated: estimatedCost, actual } } : undefined;
        } catch (err) {
          context.logger.warn({ err }, 'actual cost not measured');
          return undefined;
        }
      };
      if (isIncremental(result)) return { initial: result.initial, subsequent: measuredAtEnd(result, measure) };
      // Outside development the actual cost only feeds a histogram: a sample of responses tells it as well as all.
      if (!options.costInResponse && ++served % actualCostSampleEvery !== 0) return result;
      const extensions = measure(result.data ?? null);
      return extensions ? { ...result, extensions } : result;
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

/** The subsequent results, the whole response assembled on the way to measure its cost after the last (which carries the cost, when shown). */
async function* measuredAtEnd(result: IncrementalResult, measure: (data: Record<string, unknown> | null) => Record<string, unknown> | undefined): AsyncGenerator<SubsequentResult> {
  const assembled = result.initial.data ? structuredClone(result.initial.data) : null;
  for await (const next of result.subsequent) {
    for (const payload of next.incremental ?? []) if (assembled && payload.data) mergeAt(assembled, payload.path, payload.data);
    if (next.hasNext) {
      yield next;
      continue;
    }
    const extensions = measure(assembled);
    yield extensions ? { ...next, extensions: { ...next.extensions, ...extensions } } : next;
  }
}

function mergeAt(root: Record<string, unknown>, path: readonly (string | number)[], data: Record<string, unknown>): void {
  let at: unknown = root;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>)[key] : undefined;
  if (isRecord(at)) mergeInto(at, structuredClone(data));
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isRecord(existing) && isRecord(value)) mergeInto(existing, value);
    else target[key] = value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
