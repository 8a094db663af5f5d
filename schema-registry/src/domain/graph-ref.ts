import { badInput } from '@ficus/kit';

/** A graph variant as rover names it: `shop@current`. The variant defaults to `current`. */
export interface GraphRef {
  graph: string;
  variant: string;
}

const namePattern = /^[A-Za-z][\w-]{0,63}$/;

/** Parses `graph@variant`; throws BAD_USER_INPUT naming what is wrong. */
export function parseGraphRef(text: string): GraphRef {
  const [graph, variant = 'current', ...rest] = text.split('@');
  if (rest.length > 0 || !namePattern.test(graph ?? '') || !namePattern.test(variant)) {
    throw badInput(`"${text}" is not a graph ref: write graph@variant, e.g. shop@current (letters, digits, _ and -)`);
  }
  return { graph: graph!, variant };
}

export const formatGraphRef = (ref: GraphRef): string => `${ref.graph}@${ref.variant}`;

/** Subgraph names follow composition's rules. */
export function assertSubgraphName(name: string): void {
  if (!namePattern.test(name)) throw badInput(`"${name}" is not a subgraph name (letters, digits, _ and -, at most 64)`);
}
