export * from './config';
export { LexicalLimits, nestingDepth, ParseOutcome, parseWithinLimits, ParseViolation } from '@ficus/kit';
export * from './limits/measure-operation';
export * from './limits/exceeded-limits';
export { CostModel, CostModelOptions, ListSize } from './cost/cost-model';
export { CostEstimateError } from './cost/cost-estimate-error';
export { estimateCost, mutationWeight } from './cost/estimate-cost';
export { actualCost } from './cost/actual-cost';
