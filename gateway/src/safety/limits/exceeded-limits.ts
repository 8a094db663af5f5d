import type { OperationMeasures } from '@ficus/kit/limits';

/** The most an operation may measure; a limit left null is not checked. */
export interface OperationLimits {
  maxDepth: number | null;
  maxHeight: number | null;
  maxAliases: number | null;
  maxRootFields: number | null;
  maxDirectivesPerField: number | null;
}

export type LimitCode = 'MAX_DEPTH_LIMIT' | 'MAX_HEIGHT_LIMIT' | 'MAX_ALIASES_LIMIT' | 'MAX_ROOT_FIELDS_LIMIT' | 'MAX_DIRECTIVES_LIMIT';

/** One limit an operation is over, with Apollo Router's code (MAX_DIRECTIVES_LIMIT is ours). */
export interface LimitViolation {
  code: LimitCode;
  message: string;
  measured: number;
  limit: number;
}

const checks: { code: LimitCode; measure: keyof OperationMeasures; limit: keyof OperationLimits; variable: string; what: string }[] = [
  { code: 'MAX_DEPTH_LIMIT', measure: 'depth', limit: 'maxDepth', variable: 'MAX_DEPTH', what: 'Maximum depth limit exceeded in this operation' },
  { code: 'MAX_HEIGHT_LIMIT', measure: 'height', limit: 'maxHeight', variable: 'MAX_HEIGHT', what: 'Maximum height (field count) limit exceeded in this operation' },
  { code: 'MAX_ROOT_FIELDS_LIMIT', measure: 'rootFields', limit: 'maxRootFields', variable: 'MAX_ROOT_FIELDS', what: 'Maximum root fields limit exceeded in this operation' },
  { code: 'MAX_ALIASES_LIMIT', measure: 'aliases', limit: 'maxAliases', variable: 'MAX_ALIASES', what: 'Maximum aliases limit exceeded in this operation' },
  {
    code: 'MAX_DIRECTIVES_LIMIT',
    measure: 'directivesPerField',
    limit: 'maxDirectivesPerField',
    variable: 'MAX_DIRECTIVES_PER_FIELD',
    what: 'Maximum directives per field limit exceeded in this operation',
  },
];

/** Every limit the measures are over (Router's order: depth, height, root fields, aliases), empty when none is. */
export function exceededLimits(measures: OperationMeasures, limits: OperationLimits): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const check of checks) {
    const limit = limits[check.limit];
    const measured = measures[check.measure];
    if (limit !== null && measured > limit) {
      violations.push({ code: check.code, measured, limit, message: `${check.what}: ${check.measure} ${measured}, ${check.variable} ${limit}` });
    }
  }
  return violations;
}
