export * from './build';
export * from './config';
// The checks every operation passes before it is planned, for code that runs them outside a gateway process (benchmarks).
export { createAdmission } from './pipeline/admission';
export type { Admission, AdmissionOptions, Admit, AdmittedOperation, Caller, CostRules, ServedGraph } from './pipeline/admission';
export type { OperationParams } from './pipeline/operation-params';
export { PreparedDocuments } from './pipeline/prepared-documents';
export type { DocumentRules, PreparedDocument } from './pipeline/prepared-documents';
export { actualCost, CostModel, estimateCost, exceededLimits, measureOperation, parseWithinLimits, readSafetyConfig } from './safety';
export type { LexicalLimits, OperationLimits, OperationMeasures, SafetyConfig } from './safety';
export { MemoryRateLimiter, rateLimitKey } from './rate-limit';
// Not in the rate-limit folder's index: a gateway without REDIS_URL never loads the Redis client.
export { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
export type { RateBudgets, RateDecision, RateLimiter } from './rate-limit';
export { TrustedDocuments } from './trusted-documents';
// The engines, for code that plans and runs operations outside a gateway process (benchmarks, differential tests).
export { createEngine } from './engine/create-engine';
export type { Engine, EngineName, EngineRequest, EngineResult, LoadedSupergraph } from './engine/engine';
export type { InProcessSubgraphs } from './engine/ficus/execute/in-process-transport';
export { SubgraphResilience } from './execution/resilience/subgraph-resilience';
