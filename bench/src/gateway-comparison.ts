import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { seedDemoCatalog } from '@ficus/e2e';
import { EXIT_WITH_PARENT_VARIABLE } from '@ficus/kit';
import { freePort } from '@ficus/testkit';
import { benchShopper } from './bench-shopper';
import { benchAdmin, startBenchStack } from './bench-stack';
import { fixedLoad } from './fixed-load';
import { GatewayProcess, startGatewayProcess } from './gateway-process';
import type { StorefrontOperation } from './storefront-operations';

/** What a gateway of the comparison runs with. */
export interface GatewaySetting {
  label: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The defaults (limits and cost enforced, rate limit in memory), with rate budgets too large to
 * refuse this load from one client: the limiter does the same work whatever its budgets.
 */
const checksOn: NodeJS.ProcessEnv = { RATE_LIMIT: 'on', RATE_LIMIT_REQUESTS: '60000000', RATE_LIMIT_COST: '60000000000' };

/**
 * As near to no checks as config goes. There is no off switch for the lexical scan, the limits'
 * measure or the cost estimate: they run and only their verdicts are relaxed.
 */
const checksRelaxed: NodeJS.ProcessEnv = {
  RATE_LIMIT: 'off',
  OPERATION_LIMITS_MODE: 'warn',
  COST_MODE: 'measure',
  MAX_COST: '1000000000000',
  MAX_DEPTH: '1000000',
  MAX_HEIGHT: '1000000',
  MAX_ALIASES: '1000000',
  MAX_ROOT_FIELDS: '1000000',
  MAX_DIRECTIVES_PER_FIELD: '1000000',
  PARSER_MAX_TOKENS: '1000000000',
  PARSER_MAX_RECURSION: '1000000',
};

/**
 * The two gateways compared: the defaults, and every check config can relax relaxed. To
 * calibrate, both run the defaults: the spread of their difference is what the comparison
 * cannot tell from noise.
 */
export function gatewaySettings(calibrate: boolean): [GatewaySetting, GatewaySetting] {
  return [{ label: 'checks on', env: checksOn }, calibrate ? { label: 'checks on, again', env: checksOn } : { label: 'checks relaxed', env: checksRelaxed }];
}

/** One batch of requests through one gateway. */
export interface Batch {
  /** Which of the two settings: 0 the defaults, 1 the other. */
  gateway: 0 | 1;
  setting: string;
  operation: StorefrontOperation['name'];
  round: number;
  sent: number;
  failed: number;
  firstFailure: string | null;
  /** Gateway CPU (user + system, from /proc) per request. */
  cpuMsPerRequest: number;
  requestsPerSecond: number;
}

export interface ComparisonOptions {
  settings: [GatewaySetting, GatewaySetting];
  repoRoot: string;
  rounds: number;
  requests: number;
  concurrency: number;
  /** Longest a batch may take before it stops early. */
  batchMaxMs: number;
  /** Told of each batch as it ends. */
  onBatch(batch: Batch): void;
}

/**
 * Starts the whole stack (SQLite) and two more gateway processes beside its own, one per
 * setting, both following its registry with the same signing secret. Then, round after round
 * (alternating which goes first), sends the same fixed number of each operation through each
 * gateway and reads that gateway's CPU time before and after.
 */
export async function compareGateways(operations: StorefrontOperation[], options: ComparisonOptions): Promise<Batch[]> {
  const secret = randomBytes(32).toString('hex');
  const bench = await startBenchStack({ kind: 'sqlite', label: 'admission', env: () => ({ IDENTITY_SIGNING_SECRET: secret }) });
  const gateways: GatewayProcess[] = [];
  try {
    const { stack } = bench;
    await seedDemoCatalog(stack.gatewayUrl, benchAdmin);
    const { token } = await benchShopper(stack.gatewayUrl, { sku: 'BENCH-ADMISSION', email: 'admission-shopper@example.com', paymentToken: 'tok_visa' });
    const users = new URL(stack.urls.users!);
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      SUPERGRAPH_CONFIG: '',
      SUPERGRAPH_FILE: '',
      REDIS_URL: undefined,
      FICUS_REGISTRY_URL: stack.registry.url,
      FICUS_API_KEY: stack.registry.apiKey,
      FICUS_GRAPH_REF: stack.registry.graphRef,
      JWKS_URL: `${users.origin}/.well-known/jwks.json`,
      IDENTITY_SIGNING_SECRET: secret,
      // Stop with this process, however it ends.
      [EXIT_WITH_PARENT_VARIABLE]: '1',
    };
    for (const [index, setting] of options.settings.entries()) {
      const label = `${index + 1}`;
      const gateway = await startGatewayProcess({
        name: setting.label,
        repoRoot: options.repoRoot,
        port: await freePort(),
        env: { ...common, ...setting.env, DATA_DIR: path.join(bench.dataDir, `gateway-${label}`) },
        logFile: path.join(bench.dataDir, 'logs', `gateway-${label}.log`),
      });
      gateways.push(gateway);
    }

    const send = (gateway: GatewayProcess, op: StorefrontOperation) => {
      const body = JSON.stringify({ query: op.query, operationName: op.name, variables: op.variables });
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(op.signedIn ? { authorization: `Bearer ${token}` } : {}) };
      return async (): Promise<string | null> => {
        const response = await fetch(gateway.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        const answer = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
        if (response.status !== 200 || answer.errors || !answer.data) return `${response.status} ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`;
        return null;
      };
    };

    // Warm-up: compiled code, the documents and plans cached, connections to the subgraphs open.
    for (const gateway of gateways) {
      for (const op of operations) {
        const warm = await fixedLoad(send(gateway, op), { requests: 500, concurrency: options.concurrency, maxMs: options.batchMaxMs });
        if (warm.failed > 0) throw new Error(`${op.name} through the ${gateway.name} gateway fails: ${warm.firstFailure}`);
      }
    }

    const batches: Batch[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const order: (0 | 1)[] = round % 2 === 1 ? [0, 1] : [1, 0];
      for (const index of order) {
        const gateway = gateways[index]!;
        for (const op of operations) {
          const before = gateway.cpuSeconds();
          const outcome = await fixedLoad(send(gateway, op), { requests: options.requests, concurrency: options.concurrency, maxMs: options.batchMaxMs });
          const used = gateway.cpuSeconds() - before;
          const batch: Batch = {
            gateway: index,
            setting: gateway.name,
            operation: op.name,
            round,
            sent: outcome.sent,
            failed: outcome.failed,
            firstFailure: outcome.firstFailure,
            cpuMsPerRequest: (used * 1000) / outcome.sent,
            requestsPerSecond: outcome.sent / (outcome.wallMs / 1000),
          };
          batches.push(batch);
          options.onBatch(batch);
        }
      }
    }
    return batches;
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await bench.stop();
  }
}
