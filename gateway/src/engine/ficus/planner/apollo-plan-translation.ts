import type * as Apollo from '@apollo/query-planner';
import type { DataRewrite, FetchStep, PathSegment, PlanNode, QueryPlan, RequiresSelection, RewriteSegment } from '../plan/query-plan';
import { structuralNode } from '../plan/plan-structure';
import { PlanningError } from './planner';

/** @apollo/query-planner's plan of a query or mutation in the executor's terms (its Defer nodes kept). */
export function queryPlanFromApollo(plan: Apollo.QueryPlan): QueryPlan {
  if (plan.node?.kind === 'Subscription') throw new PlanningError('@defer is not supported on subscriptions', 'QUERY_PLANNING_FAILED');
  return { node: plan.node ? node(plan.node) : null };
}

function node(plan: Apollo.PlanNode): PlanNode {
  switch (plan.kind) {
    case 'Fetch':
      return { kind: 'Fetch', ...fetchStep(plan) };
    case 'Flatten':
      return { kind: 'Flatten', path: plan.path.map((segment) => pathSegment(String(segment))), node: node(plan.node) };
    case 'Sequence':
    case 'Parallel':
    case 'Condition':
    case 'Defer':
      return structuralNode<Apollo.PlanNode>(plan, node);
  }
}

function fetchStep(fetch: Apollo.FetchNode): FetchStep {
  // @fromContext needs its own rewrites, which the executor does not run.
  if (fetch.contextRewrites?.length) throw new PlanningError('a deferred operation reading @fromContext arguments cannot be planned incrementally', 'QUERY_PLANNING_FAILED');
  return {
    serviceName: fetch.serviceName,
    operation: fetch.operation,
    operationName: fetch.operationName ?? null,
    operationKind: fetch.operationKind,
    variableUsages: fetch.variableUsages ?? [],
    requires: fetch.requires?.length ? fetch.requires.map(requiresSelection) : null,
    inputRewrites: (fetch.inputRewrites ?? []).map(rewrite),
    outputRewrites: (fetch.outputRewrites ?? []).map(rewrite),
    id: fetch.id ?? null,
  };
}

/** Flatten paths: a field, `@` for every item of a list, or `|[A,B]` for objects of some types. */
function pathSegment(segment: string): PathSegment {
  if (segment === '@') return { kind: 'list' };
  const conditioned = /^\|\[(.*)\]$/.exec(segment);
  if (conditioned) return { kind: 'types', names: conditioned[1]!.split(',').map((name) => name.trim()) };
  return { kind: 'field', name: segment };
}

function requiresSelection(selection: Apollo.QueryPlanSelectionNode): RequiresSelection {
  if (selection.kind === 'Field') {
    return { kind: 'Field', name: selection.name, alias: selection.alias ?? null, source: null, selections: selection.selections?.map(requiresSelection) ?? null };
  }
  return { kind: 'InlineFragment', typeCondition: selection.typeCondition ?? null, selections: selection.selections.map(requiresSelection) };
}

function rewrite(raw: Apollo.FetchDataRewrite): DataRewrite {
  const path = raw.path.map(rewriteSegment);
  return raw.kind === 'ValueSetter' ? { kind: 'ValueSetter', path, setValueTo: raw.setValueTo } : { kind: 'KeyRenamer', path, renameKeyTo: raw.renameKeyTo };
}

/** Rewrite paths: a field, or `... on T` for objects of one type. */
function rewriteSegment(segment: string): RewriteSegment {
  const conditioned = /^\.\.\.\s+on\s+(\w+)$/.exec(segment);
  return conditioned ? { kind: 'types', names: [conditioned[1]!] } : { kind: 'field', name: segment };
}
