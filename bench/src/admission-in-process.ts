import path from 'node:path';
import {
  actualCost,
  Admit,
  CostModel,
  createAdmission,
  estimateCost,
  exceededLimits,
  GatewayConfig,
  measureOperation,
  MemoryRateLimiter,
  parseWithinLimits,
  PreparedDocuments,
  RateBudgets,
  RateLimiter,
  rateLimitKey,
  readGatewayConfig,
  RedisRateLimiter,
  ServedGraph,
  TrustedDocuments,
  createEngine,
  SubgraphResilience,
} from '@ficus/gateway';
import { createLogger, Logger } from '@ficus/kit';
import { composeFromConfigFile } from '@ficus/schema-registry';
import { getOperationAST, getVariableValues, NoSchemaIntrospectionCustomRule, parse, validate } from 'graphql';
import Redis from 'ioredis';
import { CallBounds, cpuPerCall, PerCall } from './cpu-per-call';
import type { StorefrontOperation } from './storefront-operations';

/** What one line of the in-process table measures. */
export interface InProcessCase {
  label: string;
  /** Whether it is the whole admission stage, or one of its stages alone. */
  kind: 'admission' | 'stage';
  /** Whether it talks to Redis: its wall-clock time per call is worth reporting too. */
  redis: boolean;
}

export interface InProcessOptions {
  repoRoot: string;
  redisUrl: string;
  bounds: CallBounds;
  /** Never-seen documents are each parsed, measured and kept: fewer calls keep memory small. */
  neverSeenBounds: CallBounds;
}

export interface InProcessBench {
  cases: InProcessCase[];
  /** Measures every case of every operation once: one round. */
  round(round: number): Promise<Map<string, Map<string, PerCall>>>;
  /** Closes Redis connections and deletes every key the run wrote. */
  stop(): Promise<void>;
}

// The limiters spend budgets that never run out in a measurement, so every call takes the allowed path;
// the arithmetic is the same whatever the budgets.
const budgets: RateBudgets = { windowMs: 60_000, requests: 60_000_000, cost: 60_000_000_000 };

/**
 * The gateway's admission stage in this process, on the composed supergraph of the repository's
 * subgraphs with a production gateway's defaults, and each of its stages alone.
 */
export async function inProcessBench(operations: StorefrontOperation[], options: InProcessOptions): Promise<InProcessBench> {
  const composed = await composeFromConfigFile(path.join(options.repoRoot, 'supergraph.yaml'));
  if (!composed.ok) throw new Error(`supergraph.yaml does not compose: ${JSON.stringify(composed.errors)}`);
  const config = readGatewayConfig({ NODE_ENV: 'production' });
  const { safety } = config;
  const logger = createLogger('bench', 'silent');
  const engine = createEngine(config.engine, { signer: null, resilience: SubgraphResilience.withDefaults(logger), subgraphTimeoutMs: 10_000, logger });
  const loaded = engine.load({ id: 'bench', sdl: composed.supergraphSdl });
  const served: ServedGraph = {
    loaded,
    supergraphId: 'bench',
    apiSchema: loaded.apiSchema,
    costModel: CostModel.fromSupergraph(composed.supergraphSdl, { defaultListSize: safety.cost.defaultListSize }),
  };
  const trustedDocuments = new TrustedDocuments({
    config: config.trustedDocuments,
    registry: null,
    cacheFile: null,
    logger,
    allowIntrospection: config.introspection,
  });
  await trustedDocuments.start();

  const redisPrefix = `ficus:bench:admission:${process.pid}:${Date.now()}:`;
  const redisLimiters: RedisRateLimiter[] = [];
  const redisLimiter = async (scope: string): Promise<RedisRateLimiter> => {
    const limiter = new RedisRateLimiter({ url: options.redisUrl, keyPrefix: `${redisPrefix}${scope}:`, budgets, commandTimeoutMs: 1_000, logger });
    await limiter.connect(2_000);
    redisLimiters.push(limiter);
    return limiter;
  };
  const admission = (rateLimiter: RateLimiter | null, documents = preparedDocuments(config)) => admitted(config, served, trustedDocuments, documents, rateLimiter, logger);

  type Measure = (operation: StorefrontOperation, scope: string) => Promise<PerCall>;
  const measures: [InProcessCase, Measure][] = [
    [{ label: 'admission, repeated document, no rate limit (a)', kind: 'admission', redis: false }, (op) => admitRepeatedly(admission(null), op, options.bounds)],
    [
      { label: 'admission, repeated document, rate limit in memory (b: the defaults)', kind: 'admission', redis: false },
      (op) => admitRepeatedly(admission(new MemoryRateLimiter({ budgets })), op, options.bounds),
    ],
    [
      { label: 'admission, repeated document, rate limit on Redis (c)', kind: 'admission', redis: true },
      async (op, scope) => admitRepeatedly(admission(await redisLimiter(scope)), op, options.bounds),
    ],
    [
      { label: 'admission, never-seen document, no rate limit (d)', kind: 'admission', redis: false },
      (op) => {
        const admit = admission(null);
        // A comment makes each text new to the cache, and costs the lexer what any text of its length would.
        return cpuPerCall(async (i) => mustAdmit(await admit({ ...paramsOf(op), query: `${op.query}\n# ${i}` }, op.caller)), options.neverSeenBounds);
      },
    ],
    [{ label: 'trusted documents: resolve (off)', kind: 'stage', redis: false }, async (op) => cpuPerCall(() => trustedDocuments.resolve(paramsOf(op)), options.bounds)],
    [
      { label: 'prepared documents: cached lookup', kind: 'stage', redis: false },
      async (op) => {
        const documents = preparedDocuments(config);
        return cpuPerCall(() => documents.prepare(served.apiSchema, op.query), options.bounds);
      },
    ],
    [{ label: 'parse alone (graphql-js: any server does it)', kind: 'stage', redis: false }, async (op) => cpuPerCall(() => parse(op.query), options.bounds)],
    [
      { label: 'lexical limits + parse', kind: 'stage', redis: false },
      async (op) => cpuPerCall(() => parseWithinLimits(op.query, safety.lexical), options.bounds),
    ],
    [
      { label: 'operation limits: measure + compare', kind: 'stage', redis: false },
      async (op) => {
        const document = parse(op.query);
        return cpuPerCall(() => exceededLimits(measureOperation(document, op.name), safety.limits), options.bounds);
      },
    ],
    [
      { label: 'validate (graphql-js: any server does it)', kind: 'stage', redis: false },
      async (op) => {
        const document = parse(op.query);
        return cpuPerCall(() => validate(served.apiSchema, document), options.bounds);
      },
    ],
    [
      { label: 'introspection refused: one more rule', kind: 'stage', redis: false },
      async (op) => {
        const document = parse(op.query);
        return cpuPerCall(() => validate(served.apiSchema, document, [NoSchemaIntrospectionCustomRule]), options.bounds);
      },
    ],
    [
      { label: 'variables: coerce', kind: 'stage', redis: false },
      async (op) => {
        const operation = getOperationAST(parse(op.query), op.name)!;
        return cpuPerCall(() => getVariableValues(served.apiSchema, operation.variableDefinitions ?? [], op.variables, { maxErrors: 20 }), options.bounds);
      },
    ],
    [
      { label: 'cost estimate', kind: 'stage', redis: false },
      async (op) => {
        const document = parse(op.query);
        return cpuPerCall(() => estimateCost(served.costModel, served.apiSchema, document, op.name, op.variables), options.bounds);
      },
    ],
    [
      { label: 'actual cost of a response (after it, for metrics)', kind: 'stage', redis: false },
      async (op) => {
        const document = parse(op.query);
        return cpuPerCall(() => actualCost(served.costModel, served.apiSchema, document, op.name, op.variables, op.sampleData), options.bounds);
      },
    ],
    [
      { label: 'rate limit in memory: consume', kind: 'stage', redis: false },
      async (op) => {
        const limiter = new MemoryRateLimiter({ budgets });
        const key = rateLimitKey(op.caller.identity, op.caller.clientAddress);
        return cpuPerCall(() => limiter.consume(key, 100), options.bounds);
      },
    ],
    [
      { label: 'rate limit on Redis: consume', kind: 'stage', redis: true },
      async (op, scope) => {
        const limiter = await redisLimiter(scope);
        const key = rateLimitKey(op.caller.identity, op.caller.clientAddress);
        return cpuPerCall(async () => {
          const decision = await limiter.consume(key, 100);
          if (!decision.allowed || !decision.checked) throw new Error('the Redis rate limiter did not check the operation: is Redis up?');
        }, options.bounds);
      },
    ],
  ];

  return {
    cases: measures.map(([c]) => c),
    async round(round) {
      const results = new Map<string, Map<string, PerCall>>();
      for (const [c, measure] of measures) {
        const byOperation = new Map<string, PerCall>();
        for (const op of operations) byOperation.set(op.name, await measure(op, `${round}:${op.name}:${measures.findIndex(([m]) => m === c)}`));
        results.set(c.label, byOperation);
      }
      return results;
    },
    async stop() {
      for (const limiter of redisLimiters) await limiter.close();
      await deleteKeys(options.redisUrl, redisPrefix);
    },
  };
}

function preparedDocuments(config: GatewayConfig): PreparedDocuments {
  const { safety } = config;
  return new PreparedDocuments({
    maxTokens: safety.lexical.maxTokens,
    maxRecursion: safety.lexical.maxRecursion,
    limits: safety.limits,
    limitsMode: safety.limitsMode,
    introspection: config.introspection,
  });
}

/** The admission stage as the gateway builds it (request-pipeline.ts), metrics counters aside. */
function admitted(
  config: GatewayConfig,
  served: ServedGraph,
  trustedDocuments: TrustedDocuments,
  documents: PreparedDocuments,
  rateLimiter: RateLimiter | null,
  logger: Logger,
): Admit {
  return createAdmission({
    served: () => served,
    trustedDocuments,
    documents,
    cost: config.safety.cost,
    rateLimiter,
    onRefused: () => undefined,
    onOverLimit: () => undefined,
    logger,
  });
}

const paramsOf = (op: StorefrontOperation) => ({ query: op.query, operationName: op.name, variables: op.variables });

function admitRepeatedly(admit: Admit, op: StorefrontOperation, bounds: CallBounds): Promise<PerCall> {
  const params = paramsOf(op);
  return cpuPerCall(async () => mustAdmit(await admit(params, op.caller)), bounds);
}

/** Every measured admission must take the path a served request takes: a refusal would measure something else. */
function mustAdmit(admission: Awaited<ReturnType<Admit>>): void {
  if (admission.refused) throw new Error(`the admission refused a storefront operation: ${JSON.stringify(admission.refused.errors)}`);
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
