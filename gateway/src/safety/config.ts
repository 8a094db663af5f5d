import { parseEnv } from '@ficus/kit/service';
import { z } from 'zod';
import type { OperationLimits } from './limits/exceeded-limits';
import type { LexicalLimits } from '@ficus/kit/limits';

/** Operation limits and demand control: what one operation may be before it is planned. */
export interface SafetyConfig {
  lexical: LexicalLimits;
  limits: OperationLimits;
  /** `warn` serves operations over the limits and reports them, for rolling limits out. */
  limitsMode: 'enforce' | 'warn';
  cost: {
    /** Highest estimated cost served (MAX_COST). */
    maxCost: number;
    /** `measure` estimates and reports costs without refusing any. */
    mode: 'enforce' | 'measure';
    /** Items assumed in a list without `@listSize` (DEFAULT_LIST_SIZE). */
    defaultListSize: number;
  };
}

const limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * The variables, for `readGatewayConfig` to merge. Defaults suit a public endpoint and let every
 * operation of contract/operations through with room to spare: the deepest (MyOrders) has depth 7,
 * height 25 and cost 292; the costliest is Catalog at its largest page (first: 100), 402.
 */
export const safetyEnv = {
  /** Deepest field nesting: 20 levels is refused, the storefront needs 7. */
  MAX_DEPTH: limit(12),
  /** Distinct fields per selection set, summed (Router's height). */
  MAX_HEIGHT: limit(100),
  /** Router's suggested value. */
  MAX_ALIASES: limit(30),
  MAX_ROOT_FIELDS: limit(20),
  /** Directives on one field; @skip, @include and @defer never need more. */
  MAX_DIRECTIVES_PER_FIELD: limit(5),
  /** Router's default. */
  PARSER_MAX_TOKENS: limit(15_000),
  /** Router's default: nesting of `{`, `(` and `[`. */
  PARSER_MAX_RECURSION: limit(500),
  OPERATION_LIMITS_MODE: z.enum(['enforce', 'warn']).default('enforce'),
  // A storefront page costs up to about 1,000; unannotated lists count 10 items, as Apollo Router's example does.
  MAX_COST: z.coerce.number().positive().default(5_000),
  COST_MODE: z.enum(['enforce', 'measure']).default('enforce'),
  /** The largest page any subgraph serves. */
  DEFAULT_LIST_SIZE: z.coerce.number().int().min(0).default(10),
};

/** Reads the safety variables, reporting every bad one at once (a `ConfigError`). */
export function readSafetyConfig(processEnv: NodeJS.ProcessEnv): SafetyConfig {
  const vars = parseEnv(safetyEnv, processEnv);
  return {
    lexical: {
      maxTokens: vars.PARSER_MAX_TOKENS,
      maxRecursion: vars.PARSER_MAX_RECURSION,
      settings: { maxTokens: 'PARSER_MAX_TOKENS', maxRecursion: 'PARSER_MAX_RECURSION' },
    },
    limits: {
      maxDepth: vars.MAX_DEPTH,
      maxHeight: vars.MAX_HEIGHT,
      maxAliases: vars.MAX_ALIASES,
      maxRootFields: vars.MAX_ROOT_FIELDS,
      maxDirectivesPerField: vars.MAX_DIRECTIVES_PER_FIELD,
    },
    limitsMode: vars.OPERATION_LIMITS_MODE,
    cost: { maxCost: vars.MAX_COST, mode: vars.COST_MODE, defaultListSize: vars.DEFAULT_LIST_SIZE },
  };
}
