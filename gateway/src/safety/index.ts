export * from './config';
export { nestingDepth } from './limits/nesting-scan';
export * from './limits/parse-within-limits';
export * from './limits/measure-operation';
export * from './limits/exceeded-limits';
export { CostModel, CostModelOptions, ListSize } from './cost/cost-model';
export { CostEstimateError } from './cost/cost-estimate-error';
export { estimateCost, mutationWeight } from './cost/estimate-cost';
export { actualCost } from './cost/actual-cost';
