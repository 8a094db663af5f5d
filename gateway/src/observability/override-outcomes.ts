import { Histogram, Registry } from 'prom-client';
import type { OperationOutcome } from './operation-outcome';

type Labels = 'label' | 'in_force' | 'outcome';
type Child = Histogram.Internal<Labels>;

/** Drawn labels of one request: in force (the new owner serves) and not (the old owner does). */
interface Drawn {
  inForce: readonly string[];
  notInForce: readonly string[];
}

/** Distinct labels given their own value; a supergraph rarely has more than a few, and later ones are `(other)`. */
const maxLabels = 32;
const otherLabel = '(other)';

/**
 * `ficus_gateway_override_request_duration_seconds{label, in_force, outcome}`: each query or
 * mutation planned on a supergraph with progressive @override labels, once per label, by
 * whether the label was in force (the new owner served its fields) and how the operation ended.
 * So a team moving a field reads the new owner's error rate and latency beside the old owner's
 * before raising the share. Labels come from the supergraph only, and at most `maxLabels` of
 * them; the draw is remembered per admitted operation (a WeakMap entry, gone with the request).
 */
export class OverrideOutcomes {
  private readonly histogram: Histogram<Labels>;
  private readonly drawn = new WeakMap<object, Drawn>();
  private readonly children = new Map<string, Child>();
  private readonly labels = new Set<string>();

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'ficus_gateway_override_request_duration_seconds',
      help: 'Queries and mutations planned with progressive @override labels, from request to response, by label, whether it was in force (true: the new owner served its fields) and outcome (success or the class of the first error).',
      labelNames: ['label', 'in_force', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Remembers the labels drawn for `operation` (the admitted operation), until its end is observed. */
  remember(operation: object | undefined, inForce: readonly string[], notInForce: readonly string[]): void {
    if (operation) this.drawn.set(operation, { inForce, notInForce });
  }

  /** One sample per label drawn for `operation`; nothing for an operation planned without labels. */
  observe(operation: object | undefined, outcome: OperationOutcome, seconds: number): void {
    const drawn = operation && this.drawn.get(operation);
    if (!drawn) return;
    this.drawn.delete(operation);
    for (const label of drawn.inForce) this.child(label, 'true', outcome).observe(seconds);
    for (const label of drawn.notInForce) this.child(label, 'false', outcome).observe(seconds);
  }

  private child(label: string, inForce: 'true' | 'false', outcome: OperationOutcome): Child {
    const key = `${label}\n${inForce}\n${outcome}`;
    let child = this.children.get(key);
    if (!child) {
      if (label !== otherLabel && !this.labels.has(label) && this.labels.size >= maxLabels) return this.child(otherLabel, inForce, outcome);
      if (label !== otherLabel) this.labels.add(label);
      this.children.set(key, (child = this.histogram.labels(label, inForce, outcome)));
    }
    return child;
  }
}
