import type { OverrideState } from './planner/planner';

/**
 * Decides which progressive @override labels are in force for each request: labels switched
 * on by config always, and `percent(N)` labels by one draw per request, in force when the draw
 * is below N (so over many requests a label moves N % of them to the new owner).
 */
export class OverrideLabels {
  constructor(
    private readonly percentages: readonly number[],
    private readonly labels: readonly string[],
    private readonly enabled: ReadonlySet<string>,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether the supergraph has any label: without one, nothing is drawn and plans are keyed by nothing. */
  get any(): boolean {
    return this.percentages.length > 0 || this.labels.length > 0;
  }

  draw(): { state: OverrideState; key: string; inForce: string[]; notInForce: string[] } {
    const percentile = this.random() * 100;
    const inForce: string[] = [];
    const notInForce: string[] = [];
    for (const percentage of this.percentages) (percentile < percentage ? inForce : notInForce).push(`percent(${percentage})`);
    for (const label of this.labels) (this.enabled.has(label) ? inForce : notInForce).push(label);
    const labels = new Set(this.labels.filter((label) => this.enabled.has(label)));
    return { state: { labels, percentile }, key: inForce.join(','), inForce, notInForce };
  }
}

export const noOverrides: OverrideState = { labels: new Set(), percentile: 0 };
