import type { Hive } from './hive-addon';
import type {
  DataRewrite,
  EntityBatchMember,
  FetchStep,
  PathSegment,
  PlanNode,
  QueryPlan,
  RequiresSelection,
  RewriteSegment,
  SubscriptionQueryPlan,
} from '../plan/query-plan';
import { structuralNode } from '../plan/plan-structure';

/** Hive's plan of a query or mutation in the executor's terms. */
export function queryPlanFromHive(plan: Hive.QueryPlan): QueryPlan {
  return { node: plan.node ? node(plan.node) : null };
}

/**
 * Hive's plan of a subscription: a Subscription node alone, or first in a Sequence whose
 * other nodes complete each event.
 */
export function subscriptionPlanFromHive(plan: Hive.QueryPlan): SubscriptionQueryPlan | null {
  const root = plan.node;
  if (root?.kind === 'Subscription') return { primary: fetchStep(root.primary), rest: null };
  if (root?.kind !== 'Sequence' || root.nodes[0]?.kind !== 'Subscription') return null;
  const [first, ...rest] = root.nodes as [Hive.SubscriptionNode, ...Hive.PlanNode[]];
  const restNodes = rest.map(node);
  return { primary: fetchStep(first.primary), rest: restNodes.length === 0 ? null : restNodes.length === 1 ? restNodes[0]! : { kind: 'Sequence', nodes: restNodes } };
}

function node(plan: Hive.PlanNode): PlanNode {
  switch (plan.kind) {
    case 'Fetch':
      return { kind: 'Fetch', ...fetchStep(plan) };
    case 'BatchFetch':
      return {
        kind: 'BatchFetch',
        serviceName: plan.serviceName,
        operation: plan.operation,
        operationName: plan.operationName ?? null,
        variableUsages: plan.variableUsages ?? [],
        members: plan.entityBatch.aliases.map(batchMember),
      };
    case 'Flatten':
      return { kind: 'Flatten', path: plan.path.map(pathSegment), node: node(plan.node) };
    case 'Sequence':
    case 'Parallel':
    case 'Condition':
    case 'Defer':
      return structuralNode<Hive.PlanNode>(plan, node);
    case 'Subscription':
      throw new Error('a Subscription node inside a query plan');
  }
}

function fetchStep(fetch: Hive.FetchNode): FetchStep {
  return {
    serviceName: fetch.serviceName,
    operation: fetch.operation,
    operationName: fetch.operationName ?? null,
    operationKind: fetch.operationKind ?? 'query',
    variableUsages: fetch.variableUsages ?? [],
    requires: fetch.requires?.length ? fetch.requires.map(requiresSelection) : null,
    inputRewrites: (fetch.inputRewrites ?? []).map(rewrite),
    outputRewrites: (fetch.outputRewrites ?? []).map(rewrite),
    id: null,
  };
}

function batchMember(alias: Hive.EntityBatchAlias): EntityBatchMember {
  return {
    alias: alias.alias,
    representationsVariable: alias.representationsVariableName,
    paths: alias.paths.map((path) => path.map(pathSegment)),
    requires: alias.requires.map(requiresSelection),
    inputRewrites: (alias.inputRewrites ?? []).map(rewrite),
    outputRewrites: (alias.outputRewrites ?? []).map(rewrite),
  };
}

function pathSegment(segment: Hive.FlattenNodePathSegment): PathSegment {
  if (segment === '@') return { kind: 'list' };
  if ('Field' in segment) return { kind: 'field', name: segment.Field };
  return { kind: 'types', names: segment.TypeCondition };
}

function requiresSelection(selection: Hive.RequiresSelection): RequiresSelection {
  switch (selection.kind) {
    case 'Field':
      // With an alias, Hive's `name` is the key the value was fetched under and `alias` the key the subgraph expects.
      return {
        kind: 'Field',
        name: selection.alias ? selection.alias : selection.name,
        alias: null,
        source: selection.alias ? selection.name : null,
        selections: selection.selections?.map(requiresSelection) ?? null,
      };
    case 'InlineFragment':
      return { kind: 'InlineFragment', typeCondition: selection.typeCondition ?? null, selections: selection.selections.map(requiresSelection) };
    case 'FragmentSpread':
      throw new Error(`the planner used the fragment "${selection.value}" in a representation`);
  }
}

function rewrite(raw: Hive.FetchRewrite): DataRewrite {
  if ('ValueSetter' in raw) return { kind: 'ValueSetter', path: raw.ValueSetter.path.map(rewriteSegment), setValueTo: raw.ValueSetter.setValueTo };
  if ('KeyRenamer' in raw) return { kind: 'KeyRenamer', path: raw.KeyRenamer.path.map(rewriteSegment), renameKeyTo: raw.KeyRenamer.renameKeyTo };
  return { kind: 'ValueSetter', path: raw.path.map(rewriteSegment), setValueTo: raw.setValueTo };
}

function rewriteSegment(segment: Hive.FetchNodePathSegment): RewriteSegment {
  if ('Key' in segment) return { kind: 'field', name: segment.Key };
  return { kind: 'types', names: segment.TypenameEquals };
}
