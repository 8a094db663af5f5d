export * from './config';
// The limits' own entry: the kit's index would load the service kit (ORM, NATS, Apollo Server) into the gateway.
export {
  LexicalLimits,
  measureOperation,
  nestingDepth,
  OperationMeasures,
  ParseOutcome,
  parseWithinLimits,
  ParseViolation,
} from '@ficus/kit/limits';
export * from './limits/exceeded-limits';
export { CostModel, CostModelOptions, ListSize } from './cost/cost-model';
export { CostEstimateError } from './cost/cost-estimate-error';
export { estimateCost, mutationWeight } from './cost/estimate-cost';
export { actualCost } from './cost/actual-cost';
