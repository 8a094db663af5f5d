import type { Logger, RequestSignature } from '@ficus/kit/service';
import { DocumentNode, FormattedExecutionResult, GraphQLSchema, isAbstractType, OperationDefinitionNode, parse, print } from 'graphql';
import type { GatewayContext } from '../../execution/gateway-context';
import type { SubgraphResilience } from '../../execution/resilience/subgraph-resilience';
import { forwardedHeaders } from '../../execution/forwarded-headers';
import { gatewaySpans } from '../../telemetry/gateway-spans';
import { Engine, EngineRefusal, EngineRequest, EngineResult, IncrementalResult, LoadedSupergraph, PlannedSubscription, SupergraphDocument } from '../engine';
import { refuseUnservableSupergraph } from '../served-features';
import { apiSchemaOf } from './api-schema';
import { Deferral, refuseDeferredSubscription } from './execute/defer/deferral';
import { executeNode, PlanExecution } from './execute/execute-plan';
import { executeIntrospection, selectsIntrospection } from './execute/introspection';
import { ResponseObject, TypeMatcher } from './execute/response-data';
import { ResponseShaper } from './execute/shape-response';
import type { SubgraphFetchObserver } from './execute/subgraph-client';
import type { InProcessSubgraphs } from './execute/in-process-transport';
import { SubgraphClients } from './execute/subgraph-clients';
import { subgraphUrlsOf } from './subgraph-urls';
import { OverrideLabels } from './override-labels';
import { PlanCache } from './plan-cache';
import { withFetchesWaitingOnlyForTheirInputs } from './plan/fetch-dependencies';
import type { QueryPlan, SubscriptionQueryPlan } from './plan/query-plan';
import { selectsNothing } from './plan/selects-nothing';
import { ApolloDeferPlanner } from './planner/apollo-planner';
import { HivePlanner } from './planner/hive-planner';
import { OperationToPlan, OverrideState, Planner, PlanningError } from './planner/planner';
import { variablesUsed } from '../variables-used';

export interface FicusEngineOptions {
  signer: RequestSignature | null;
  resilience: SubgraphResilience;
  subgraphTimeoutMs: number;
  /** Share one subgraph request among identical reads in flight. */
  deduplicate: boolean;
  /** Non-percentage @override labels switched on. */
  overrideLabels: ReadonlySet<string>;
  planningTimeoutMs: number;
  /** Plans kept per supergraph. */
  planCacheSize: number;
  logger: Logger;
  /** Told of each request's @override labels: which were in force and which were not. */
  onOverrides?(inForce: readonly string[], notInForce: readonly string[], context: GatewayContext): void;
  /** Told of each subgraph request that shared one in flight. */
  onDeduplicated?(subgraph: string): void;
  /** The observer of one subgraph's requests, asked once per subgraph client. */
  observeFetches?(subgraph: string): SubgraphFetchObserver;
  /** Subgraphs served in this process (a modular monolith), by routing URL. */
  inProcess?: InProcessSubgraphs;
}

/** The gateway's own engine: Hive's Rust query planner, and an executor of ours over its plans. */
export function createFicusEngine(options: FicusEngineOptions): Engine {
  const clients = new SubgraphClients({
    signer: options.signer,
    resilience: options.resilience,
    timeoutMs: options.subgraphTimeoutMs,
    deduplicate: options.deduplicate,
    onDeduplicated: options.onDeduplicated,
    observeFetches: options.observeFetches,
    inProcess: options.inProcess,
  });
  return {
    name: 'ficus',
    load(supergraph) {
      return new FicusSupergraph(supergraph, options, clients);
    },
    close: () => clients.close(),
  };
}

class FicusSupergraph implements LoadedSupergraph {
  readonly id: string;
  readonly sdl: string;
  readonly apiSchema: GraphQLSchema;
  private readonly planner: Planner;
  private readonly plans: PlanCache<QueryPlan>;
  private readonly subscriptionPlans: PlanCache<SubscriptionQueryPlan>;
  private readonly shapers = new WeakMap<DocumentNode, Map<string, ResponseShaper>>();
  /** Whether each operation asks for introspection: documents are parsed once per text and kept, so this is found once. */
  private readonly introspective = new WeakMap<OperationDefinitionNode, boolean>();
  private readonly overrides: OverrideLabels;
  private readonly subgraphUrls: ReadonlyMap<string, string>;
  private readonly matches: TypeMatcher;
  private readonly deferral: Deferral;

  constructor(
    supergraph: SupergraphDocument,
    private readonly options: FicusEngineOptions,
    private readonly clients: SubgraphClients,
  ) {
    this.id = supergraph.id;
    this.sdl = supergraph.sdl;
    // Parsed without locations, and dropped once read: the planner keeps its own model of the supergraph.
    const document = parse(supergraph.sdl, { noLocation: true });
    refuseUnservableSupergraph(document);
    this.subgraphUrls = subgraphUrlsOf(document);
    if (this.subgraphUrls.size === 0) throw new Error('invalid supergraph: it names no subgraph (join__Graph has no values)');
    const planner = new HivePlanner(supergraph.sdl);
    this.planner = planner;
    this.apiSchema = apiSchemaOf(planner);
    this.plans = new PlanCache(options.planCacheSize);
    this.subscriptionPlans = new PlanCache(options.planCacheSize);
    this.overrides = new OverrideLabels(this.planner.overridePercentages, this.planner.overrideLabels, options.overrideLabels);
    this.matches = typeMatcher(this.apiSchema);
    const deferPlanner = new ApolloDeferPlanner(supergraph.sdl, this.planner.overridePercentages, this.planner.overrideLabels);
    this.deferral = new Deferral(this.apiSchema, deferPlanner, options.planCacheSize);
  }

  async execute(request: EngineRequest): Promise<EngineResult | IncrementalResult> {
    if (this.selectsIntrospection(request)) return executeIntrospection(this.apiSchema, request, (text) => this.run(request, text));
    // Hive's planner plans @defer inline: a client that takes parts gets them from Apollo's plan.
    const deferred = this.deferral.prepare(request);
    if (deferred) {
      const { key, state } = this.planningState(request);
      return this.deferral.execute(request, deferred, key, state, this.execution(request, {}), (data, errors) => this.shape(request, data, errors));
    }
    const data = await this.run(request, null);
    return this.shape(request, data.data, data.errors);
  }

  private selectsIntrospection({ document, operation }: EngineRequest): boolean {
    let selects = this.introspective.get(operation);
    if (selects === undefined) this.introspective.set(operation, (selects = selectsIntrospection(document, operation)));
    return selects;
  }

  async planSubscription(request: EngineRequest): Promise<PlannedSubscription> {
    refuseDeferredSubscription(request);
    const { key, state } = this.planningState(request);
    const toPlan = operationToPlan(request);
    const plan = await this.planned(this.subscriptionPlans, key, () => this.planner.planSubscription(toPlan, state, this.planningSignal()));
    const url = this.subgraphUrls.get(plan.primary.serviceName);
    if (!url) throw new EngineRefusal(`no routing URL for subgraph "${plan.primary.serviceName}"`, 'INTERNAL_SERVER_ERROR');
    return {
      subgraph: plan.primary.serviceName,
      url,
      query: plan.primary.operation,
      variables: variablesUsed(request.variables, plan.primary.variableUsages),
      complete: (event) => this.completeEvent(request, plan, event),
    };
  }

  private async completeEvent(request: EngineRequest, plan: SubscriptionQueryPlan, event: FormattedExecutionResult): Promise<EngineResult> {
    if (event.data === null || event.data === undefined) {
      return { errors: [...(event.errors ?? [{ message: 'the subgraph sent an event without data' }])] };
    }
    const execution = this.execution(request, structuredClone(event.data) as ResponseObject);
    for (const error of event.errors ?? []) execution.errors.push({ ...error, extensions: { ...error.extensions, serviceName: plan.primary.serviceName } });
    if (plan.rest) await executeNode(plan.rest, execution);
    return this.shape(request, execution.data, execution.errors);
  }

  /** Plans (or finds the plan of) the authorized operation and runs it; the data is not shaped yet. */
  private async run(request: EngineRequest, text: string | null): Promise<{ data: ResponseObject; errors: PlanExecution['errors'] }> {
    const { key, state } = this.planningState(request, text);
    const toPlan = text === null ? operationToPlan(request) : { text, operationName: request.operationName };
    const plan = await this.planned(this.plans, key, async () =>
      // What is planned: the authorized operation, or what `text` left of it (introspection's path).
      selectsNothing(text === null ? request.authorized.document : parse(text), request.operationName)
        ? nothingToFetch
        : withFetchesWaitingOnlyForTheirInputs(await this.planner.planQuery(toPlan, state, this.planningSignal())),
    );
    const execution = this.execution(request, {});
    if (plan.node) await executeNode(plan.node, execution);
    return { data: execution.data, errors: execution.errors };
  }

  /** The cached plan of `key`, or a new one; a planner's failure becomes a refusal of the operation. */
  private async planned<T>(cache: PlanCache<T>, key: string, plan: () => Promise<T>): Promise<T> {
    try {
      return await (gatewaySpans ? gatewaySpans.plan((onMiss) => cache.get(key, () => (onMiss(), plan()))) : cache.get(key, plan));
    } catch (err) {
      throw err instanceof PlanningError ? new EngineRefusal(err.message, err.code) : err;
    }
  }

  private planningState(request: EngineRequest, text: string | null = null): { key: string; state: OverrideState } {
    const authorized = request.authorized;
    const operationText = text ?? authorized.text ?? printed(authorized.document);
    let overrideKey = '';
    let state: OverrideState = noState;
    if (this.overrides.any) {
      const drawn = this.overrides.draw();
      overrideKey = drawn.key;
      state = drawn.state;
      this.options.onOverrides?.(drawn.inForce, drawn.notInForce, request.context);
    }
    return { key: `${request.operationName ?? ''}\n${authorized.removedKey}\n${overrideKey}\n${operationText}`, state };
  }

  private planningSignal(): AbortSignal {
    return AbortSignal.timeout(this.options.planningTimeoutMs);
  }

  private execution(request: EngineRequest, data: ResponseObject): PlanExecution {
    return {
      data,
      errors: [...request.authorized.errors],
      variables: request.variables,
      headers: forwardedHeaders(request.context),
      reads: request.operation.operation !== 'mutation',
      clientFor: (subgraph) => {
        const url = this.subgraphUrls.get(subgraph);
        return url === undefined ? undefined : this.clients.clientFor(subgraph, url);
      },
      matches: this.matches,
    };
  }

  private shape(request: EngineRequest, data: ResponseObject | null, errors: PlanExecution['errors']): EngineResult {
    const shaped = this.shaperFor(request).shape(data, errors, request.variables);
    return shaped.errors.length > 0 ? { data: shaped.data, errors: shaped.errors } : { data: shaped.data };
  }

  private shaperFor(request: EngineRequest): ResponseShaper {
    let byName = this.shapers.get(request.document);
    if (!byName) this.shapers.set(request.document, (byName = new Map()));
    const name = request.operationName ?? '';
    let shaper = byName.get(name);
    if (!shaper) byName.set(name, (shaper = new ResponseShaper(this.apiSchema, request.document, request.operation)));
    return shaper;
  }
}

const noState: OverrideState = { labels: new Set(), percentile: 0 };

/** The plan of an operation whose root selections are all skipped: it answers `{}`. */
const nothingToFetch: QueryPlan = { node: null };

const printedDocuments = new WeakMap<DocumentNode, string>();
function printed(document: DocumentNode): string {
  let text = printedDocuments.get(document);
  if (text === undefined) printedDocuments.set(document, (text = print(document)));
  return text;
}

function operationToPlan(request: EngineRequest): OperationToPlan {
  return { text: request.authorized.text ?? printed(request.authorized.document), operationName: request.operationName };
}


/** Type conditions in plans name supergraph types: a name matches itself, or an abstract type it belongs to. */
function typeMatcher(schema: GraphQLSchema): TypeMatcher {
  return (typename, names) => {
    for (const name of names) {
      if (name === typename) return true;
      const condition = schema.getType(name);
      const type = schema.getType(typename);
      if (condition && type && isAbstractType(condition) && 'getInterfaces' in type && schema.isSubType(condition, type as never)) return true;
    }
    return false;
  };
}

