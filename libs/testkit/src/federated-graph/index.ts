export { generateFederatedGraph, removedField, retypedField } from './graph';
export type { GeneratedGraph, GeneratedSubgraph, GraphOptions, SubgraphChange } from './graph';
export { generateUsage, inBatches } from './usage';
export type { GeneratedOperation, GeneratedUsage, UsageLine, UsageOptions } from './usage';
