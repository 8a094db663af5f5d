import { Deduplication } from './gateways';

/** A gateway's figures, named by gateway and deduplication. */
export interface NamedFigures {
  gateway: string;
  deduplication: Deduplication;
}

/** The Ficus gateway against another gateway at the same deduplication (both settings against one that has none). */
export interface Comparison<T extends NamedFigures> {
  dedup: 'off' | 'on';
  ficus: T;
  other: T;
}

export const dedupWords: Record<Deduplication, string> = { off: 'off', on: 'on', none: 'none (has no deduplication)' };

export function ficusAgainstOthers<T extends NamedFigures>(figures: T[]): Array<Comparison<T>> {
  const comparisons: Array<Comparison<T>> = [];
  for (const other of figures.filter((f) => f.gateway !== 'ficus')) {
    for (const dedup of other.deduplication === 'none' ? (['off', 'on'] as const) : [other.deduplication]) {
      const ficus = figures.find((f) => f.gateway === 'ficus' && f.deduplication === dedup);
      if (ficus) comparisons.push({ dedup, ficus, other });
    }
  }
  return comparisons;
}

/** The comparison the targets are set on: Ficus with deduplication off against the gateway that has none (@apollo/gateway). */
export function targetComparison<T extends NamedFigures>(figures: T[]): Comparison<T> | undefined {
  return ficusAgainstOthers(figures).find((c) => c.dedup === 'off' && c.other.deduplication === 'none');
}

export function otherName(other: NamedFigures): string {
  return other.deduplication === 'none' ? other.gateway : `${other.gateway}, dedup ${other.deduplication}`;
}
