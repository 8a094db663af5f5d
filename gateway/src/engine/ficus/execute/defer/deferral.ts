import type { DocumentNode, GraphQLSchema } from 'graphql';
import { EngineRefusal, EngineRequest, EngineResult, IncrementalResult } from '../../../engine';
import { PlanCache } from '../../plan-cache';
import type { QueryPlan } from '../../plan/query-plan';
import type { ApolloDeferPlanner } from '../../planner/apollo-planner';
import { OverrideState, PlanningError } from '../../planner/planner';
import type { PlanExecution, ResponseError } from '../execute-plan';
import type { ResponseObject } from '../response-data';
import { ResponseShaper } from '../shape-response';
import { DeferredShapes, executeIncrementally } from './deferred-execution';
import { activeDeferKey, deferredOperation } from './deferred-operation';
import { FragmentShapers } from './fragment-shapers';

export interface PreparedDeferral {
  shapes: DeferredShapes;
  /** Which @defer of the document are active: plans differ by it. */
  activeKey: string;
}

/** Apollo Router refuses @defer in a subscription (the spec forbids it), and so does the gateway. */
export function refuseDeferredSubscription(request: EngineRequest): void {
  if (activeDeferKey(request.authorized.document, request.variables) !== '') {
    throw new EngineRefusal('@defer is not supported on subscriptions', 'QUERY_PLANNING_FAILED');
  }
}

/**
 * @defer for one supergraph: operations with an active @defer, sent by a client that takes an
 * incremental response, are planned by Apollo's planner (plans cached like the others) and run
 * in parts. What they are shaped by is kept per document and set of active @defer.
 */
export class Deferral {
  private readonly plans: PlanCache<QueryPlan>;
  private readonly shapes = new WeakMap<DocumentNode, Map<string, DeferredShapes>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly planner: ApolloDeferPlanner,
    planCacheSize: number,
  ) {
    this.plans = new PlanCache(planCacheSize);
  }

  /**
   * The shapes of the request's deferred operation, or null when it is not to be answered in
   * parts: the client does not take them, or no @defer is active (`if: false`, or none at all).
   */
  prepare(request: EngineRequest): PreparedDeferral | null {
    if (!request.incremental) return null;
    const document = request.authorized.document;
    const key = activeDeferKey(document, request.variables);
    if (key === '') return null;
    let byKey = this.shapes.get(document);
    if (!byKey) this.shapes.set(document, (byKey = new Map()));
    const shapeKey = `${request.operationName ?? ''}\n${key}`;
    let shapes = byKey.get(shapeKey);
    if (!shapes) {
      const operation = deferredOperation(this.schema, document, request.operationName, request.variables);
      shapes = {
        operation,
        initial: new ResponseShaper(this.schema, operation.initial.document, operation.initial.operation),
        fragments: new FragmentShapers(this.schema),
        schema: this.schema,
      };
      byKey.set(shapeKey, shapes);
    }
    return { shapes, activeKey: key };
  }

  /** Plans (or finds the plan of) the deferred operation under `planKey` and runs it in parts. */
  async execute(
    request: EngineRequest,
    { shapes, activeKey }: PreparedDeferral,
    planKey: string,
    overrides: OverrideState,
    execution: PlanExecution,
    whole: (data: ResponseObject, errors: ResponseError[]) => EngineResult,
  ): Promise<EngineResult | IncrementalResult> {
    let plan: QueryPlan;
    try {
      plan = await this.plans.get(`${planKey}\n${activeKey}`, async () => this.planner.plan(shapes.operation.document, request.operationName, overrides));
    } catch (err) {
      throw err instanceof PlanningError ? new EngineRefusal(err.message, err.code) : err;
    }
    return executeIncrementally(plan.node, shapes, execution, whole);
  }
}
