import { parseArgs } from 'node:util';
import type { RunningStack } from '@ficus/e2e';
import { benchShopper } from './bench-shopper';
import { startBenchStack } from './bench-stack';
import { cpuSeconds, query } from './measure';
import { storefrontLatency } from './storefront-latency';

/**
 * Orders carried to CONFIRMED per second, and placement-to-CONFIRMED latency, at a fixed
 * offered load, with every service a real process. Latency is read from the orders
 * database afterwards (created_at → updated_at of confirmed orders), so measuring adds no load.
 *
 *   npm run bench -- --db postgres --rate 100 --seconds 30
 *
 * `--instances 1,2` runs it once per count, each on a fresh stack: with 2, orders, inventory,
 * payments and notifications run two processes each sharing their port (REUSE_PORT), and two
 * gateways take the orders in turn, as a load balancer would send them. It then prints both
 * reports and the ratio of the second to the first.
 *
 * `--mode services,monolith` runs it once per deployment mode, each on a fresh stack: every
 * service its own process, then the modular monolith (the subgraphs and the gateway in one
 * process, calling each other in process). Each run then measures the storefront's reads
 * (Catalog and MyOrders, `--storefront-requests` of them, 8 in flight): their latency from the
 * client, and every process's CPU per read.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '30' },
      instances: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'services' },
      'storefront-requests': { type: 'string', default: '2000' },
    },
  });
  const modes = values.mode.split(',') as Mode[];
  if (modes.some((mode) => mode !== 'services' && mode !== 'monolith')) throw new Error(`--mode takes services, monolith or both (services,monolith), not ${values.mode}`);
  const storefrontRequests = Number(values['storefront-requests']);
  const kind = values.db === 'sqlite' ? 'sqlite' : 'postgres';
  const counts = values.instances.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--instances takes counts such as 1,2, not ${values.instances}`);
  if (kind === 'sqlite' && counts.some((n) => n > 1)) throw new Error('--instances above 1 needs --db postgres: a SQLite file has one writer process');
  if (modes.includes('monolith') && counts.some((n) => n > 1)) throw new Error('--mode monolith runs one process: use --instances 1');
  const reports: Report[] = [];
  for (const mode of modes) {
    for (const instances of counts) {
      const report = await run(kind, Number(values.rate), Number(values.seconds), instances, mode, storefrontRequests);
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      reports.push(report);
    }
  }
  if (reports.length > 1) process.stdout.write(comparison(reports));
}

/** Services given more than one process by --instances; users, products and the registry keep one. */
const scaled = ['orders', 'inventory', 'payments', 'notifications', 'gateway'];

type Report = Awaited<ReturnType<typeof run>>;

type Mode = 'services' | 'monolith';

async function run(kind: 'postgres' | 'sqlite', rate: number, seconds: number, instances: number, mode: Mode, storefrontRequests: number) {
  const bench = await startBenchStack({
    kind,
    label: 'bench',
    env: () => ({ PAYMENT_TIMEOUT_MS: '60000' }),
    instances: Object.fromEntries(scaled.map((name) => [name, instances])),
    monolith: mode === 'monolith' ? {} : undefined,
  });
  const { stack, databaseUrls } = bench;
  try {
    const gateways = stack.gatewayUrls;
    const { place, token } = await benchShopper(gateways[0]!, { sku: 'BENCH-1', email: 'bench@example.com', paymentToken: 'tok_visa' });

    const total = rate * seconds;
    const cpuBefore = cpuSeconds(stack);
    const started = Date.now();
    const inFlight: Promise<unknown>[] = [];
    let failed = 0;
    const errorSamples = new Map<string, number>();
    const noteError = (message: string) => {
      failed += 1;
      errorSamples.set(message, (errorSamples.get(message) ?? 0) + 1);
    };
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        place(`bench-${i}`, gateways[i % gateways.length]).then(
          (res) => void (res.errors && noteError(res.errors[0]!.message)),
          (err: Error) => noteError(String(err.cause ?? err)),
        ),
      );
    }
    await Promise.all(inFlight);
    const offeredFor = (Date.now() - started) / 1000;

    const orders = databaseUrls.orders!;
    const deadline = Date.now() + 120_000;
    let latencies: number[] = [];
    while (Date.now() < deadline) {
      latencies = await confirmedLatencies(orders, kind);
      if (latencies.length >= total - failed) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const cpuAfter = cpuSeconds(stack);
    const span = await confirmedSpanSeconds(orders, kind);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    const cpu = cpuPerService(cpuBefore, cpuAfter);
    const allCpu = [...cpu.values()].reduce((sum, s) => sum + s, 0);

    const storefrontCpuBefore = cpuSeconds(stack);
    const storefront = await storefrontLatency(gateways[0]!, token, { requests: storefrontRequests, concurrency: 8 });
    const storefrontCpu = [...cpuPerService(storefrontCpuBefore, cpuSeconds(stack)).values()].reduce((sum, s) => sum + s, 0);
    const report = {
      mode,
      database: kind,
      instances,
      offeredRate: rate,
      offeredSeconds: Number(offeredFor.toFixed(1)),
      placed: total - failed,
      placementErrors: failed,
      errors: Object.fromEntries([...errorSamples].slice(0, 5)),
      confirmed: latencies.length,
      confirmedPerSecond: Number((latencies.length / span).toFixed(1)),
      latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1) ?? NaN },
      // Every process's user + system CPU from the first placement until the last confirmation, per confirmed order.
      cpuMsPerOrder: {
        all: Number(((allCpu / latencies.length) * 1000).toFixed(1)),
        ...Object.fromEntries([...cpu].map(([name, used]) => [name, Number(((used / latencies.length) * 1000).toFixed(1))])),
      },
      storefront: { ...storefront, cpuMsPerRead: Number(((storefrontCpu / (storefront.requests - storefront.failed)) * 1000).toFixed(2)) },
    };
    if (process.env.BENCH_METRICS === '1') {
      process.stdout.write(await metricsSummary(stack));
      process.stdout.write(cpuSummary(cpuBefore, cpuAfter, latencies.length));
    }
    return report;
  } finally {
    await bench.stop();
  }
}

/** CPU seconds per service over the run, its processes (`orders`, `orders-2`) added together. */
function cpuPerService(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const used = new Map<string, number>();
  for (const [name, seconds] of after) {
    const service = name.replace(/-\d+$/, '');
    used.set(service, (used.get(service) ?? 0) + seconds - (before.get(name) ?? seconds));
  }
  return used;
}

/** The runs side by side, and each run's figures over the first's. */
function comparison(reports: Report[]): string {
  const [base] = reports;
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  const lines = [
    '',
    'mode      instances  confirmed/s  p50 ms  p90 ms  p99 ms  cpu ms/order  Catalog p99  MyOrders p99  cpu ms/read   ratio to the first run (confirmed/s, p50, p99, cpu/order, Catalog p99, MyOrders p99, cpu/read)',
  ];
  const catalogP99 = (r: Report) => r.storefront.latencyMs.Catalog?.p99 ?? NaN;
  const myOrdersP99 = (r: Report) => r.storefront.latencyMs.MyOrders?.p99 ?? NaN;
  for (const r of reports) {
    lines.push(
      `${r.mode.padEnd(10)}${String(r.instances).padEnd(11)}${String(r.confirmedPerSecond).padEnd(13)}${String(r.latencyMs.p50).padEnd(8)}${String(r.latencyMs.p90).padEnd(8)}` +
        `${String(r.latencyMs.p99).padEnd(8)}${String(r.cpuMsPerOrder.all).padEnd(14)}${String(catalogP99(r)).padEnd(13)}${String(myOrdersP99(r)).padEnd(14)}${String(r.storefront.cpuMsPerRead).padEnd(14)}` +
        `${ratio(r.confirmedPerSecond, base!.confirmedPerSecond)}, ${ratio(r.latencyMs.p50, base!.latencyMs.p50)}, ${ratio(r.latencyMs.p99, base!.latencyMs.p99)}, ${ratio(r.cpuMsPerOrder.all, base!.cpuMsPerOrder.all)}, ` +
        `${ratio(catalogP99(r), catalogP99(base!))}, ${ratio(myOrdersP99(r), myOrdersP99(base!))}, ${ratio(r.storefront.cpuMsPerRead, base!.storefront.cpuMsPerRead)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

async function confirmedLatencies(orders: string, kind: 'postgres' | 'sqlite'): Promise<number[]> {
  const rows = await query(orders, kind, "SELECT created_at, updated_at FROM orders WHERE status = 'CONFIRMED'");
  return rows.map((r) => new Date(r.updated_at).getTime() - new Date(r.created_at).getTime());
}

async function confirmedSpanSeconds(orders: string, kind: 'postgres' | 'sqlite'): Promise<number> {
  const [row] = await query(orders, kind, "SELECT min(created_at) AS first, max(updated_at) AS last FROM orders WHERE status = 'CONFIRMED'");
  return (new Date(row!.last).getTime() - new Date(row!.first).getTime()) / 1000;
}

/** Mean time per GraphQL operation and per handled event, per service, from each service's /metrics. */
async function metricsSummary(stack: RunningStack): Promise<string> {
  const lines: string[] = [];
  for (const [name, url] of Object.entries(stack.urls)) {
    if (name === 'gateway') continue;
    const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    const sums = new Map<string, { sum: number; count: number }>();
    for (const line of text.split('\n')) {
      const m = /^(ficus_(?:graphql_operation|event_handling)_seconds)_(sum|count)\{([^}]*)\} (\S+)/.exec(line);
      if (!m) continue;
      const key = `${m[1]}{${m[3]!.replace(/service="[^"]*",?/, '')}}`;
      const entry = sums.get(key) ?? { sum: 0, count: 0 };
      entry[m[2] as 'sum' | 'count'] = Number(m[4]);
      sums.set(key, entry);
    }
    for (const [key, { sum, count }] of sums) {
      lines.push(`${name.padEnd(14)} ${key.padEnd(110)} n=${count} mean=${((sum / count) * 1000).toFixed(1)}ms`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * CPU time (user + system) each service's process has used so far, from /proc on Linux;
 * empty elsewhere. Taken around the measured run, so start-up is left out.
 */
function cpuSummary(before: Map<string, number>, after: Map<string, number>, orders: number): string {
  const lines = [...after].map(([name, seconds]) => {
    const used = seconds - (before.get(name) ?? seconds);
    return `${name.padEnd(14)} cpu=${used.toFixed(1)}s per order=${((used / orders) * 1000).toFixed(1)}ms`;
  });
  const sum = [...after].reduce((acc, [name, seconds]) => acc + seconds - (before.get(name) ?? seconds), 0);
  lines.push(`${'all services'.padEnd(14)} cpu=${sum.toFixed(1)}s per order=${((sum / orders) * 1000).toFixed(1)}ms`);
  return `${lines.join('\n')}\n`;
}
