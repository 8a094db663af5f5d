import type { PlanNode } from './query-plan';

/** The plan nodes both planners spell in Apollo's JSON shape: what orders the fetches rather than makes them. */
export type StructuralNode<N> =
  | { kind: 'Sequence' | 'Parallel'; nodes: N[] }
  | { kind: 'Condition'; condition: string; ifClause?: N; elseClause?: N }
  | {
      kind: 'Defer';
      primary: { node?: N };
      deferred: { depends: { id: string }[]; label?: string; queryPath: string[]; node?: N }[];
    };

/** One of those nodes in the executor's terms, its children translated by the planner's own `node`. */
export function structuralNode<N>(plan: StructuralNode<N>, node: (child: N) => PlanNode): PlanNode {
  switch (plan.kind) {
    case 'Sequence':
    case 'Parallel':
      return { kind: plan.kind, nodes: plan.nodes.map(node) };
    case 'Condition':
      return {
        kind: 'Condition',
        condition: plan.condition,
        ifClause: plan.ifClause ? node(plan.ifClause) : null,
        elseClause: plan.elseClause ? node(plan.elseClause) : null,
      };
    case 'Defer':
      return {
        kind: 'Defer',
        primary: plan.primary.node ? node(plan.primary.node) : null,
        deferred: plan.deferred.map((part) => ({
          dependsOn: part.depends.map((d) => d.id),
          label: part.label ?? null,
          queryPath: part.queryPath,
          node: part.node ? node(part.node) : null,
        })),
      };
  }
}
