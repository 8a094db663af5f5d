import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { inProcessBench } from './admission-in-process';
import { PerCall, Spread, spreadOf } from './cpu-per-call';
import { compareGateways, gatewaySettings } from './gateway-comparison';
import { storefrontOperations } from './storefront-operations';

/**
 * Gateway CPU that the admission checks (trusted documents, lexical limits, parse, operation
 * limits, validation, variables, cost estimate, rate budget) take per storefront request:
 * first in this process, the whole stage and each check alone, then through two real gateway
 * processes, one with the defaults and one with every check config can relax relaxed, beside
 * the CPU of the whole request. `--calibrate` runs both gateways with the defaults, to show how
 * large a difference between two identical gateways comes out on this machine.
 *
 *   npm run bench:admission -- [--rounds 5] [--requests 600] [--concurrency 8] [--in-process-only | --calibrate]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      calls: { type: 'string', default: '20000' },
      'call-ms': { type: 'string', default: '500' },
      requests: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '8' },
      'in-process-only': { type: 'boolean', default: false },
      calibrate: { type: 'boolean', default: false },
    },
  });
  const rounds = bounded('rounds', values.rounds, 1, 20);
  const calls = bounded('calls', values.calls, 100, 1_000_000);
  const callMs = bounded('call-ms', values['call-ms'], 50, 10_000);
  const requests = bounded('requests', values.requests, 100, 50_000);
  const concurrency = bounded('concurrency', values.concurrency, 1, 64);
  const repoRoot = path.resolve(__dirname, '../../..');
  const operations = storefrontOperations();
  const names = operations.map((op) => op.name);
  say(`admission overhead: ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`);

  const bench = await inProcessBench(operations, {
    repoRoot,
    redisUrl: 'redis://127.0.0.1:6379',
    bounds: { maxCalls: calls, maxMs: callMs },
    neverSeenBounds: { maxCalls: Math.min(calls, 3_000), maxMs: callMs },
  });
  const perRound: Map<string, Map<string, PerCall>>[] = [];
  try {
    await bench.round(0); // warm-up: compiled code, Redis connections
    for (let round = 1; round <= rounds; round++) {
      perRound.push(await bench.round(round));
      say(`in process: round ${round} of ${rounds} done`);
    }
  } finally {
    await bench.stop();
  }
  const cpuOf = (label: string, name: string) => spreadOf(perRound.map((r) => r.get(label)!.get(name)!.cpuUs));
  const wallOf = (label: string, name: string) => spreadOf(perRound.map((r) => r.get(label)!.get(name)!.wallUs));

  say('');
  say(`In process: CPU µs per call, median [min–max] of ${rounds} rounds (up to ${calls} calls or ${callMs} ms each)`);
  table(
    ['', ...names.map((n) => `${n} CPU µs`), ...names.map((n) => `${n} wall µs`)],
    bench.cases.map((c) => [
      c.kind === 'stage' ? `  ${c.label}` : c.label,
      ...names.map((n) => spreadText(cpuOf(c.label, n))),
      ...names.map((n) => (c.redis ? spreadText(wallOf(c.label, n)) : '')),
    ]),
  );
  const labelOf = (part: string) => bench.cases.find((c) => c.label.includes(part))!.label;
  // What every served request costs the checks with the defaults: the admission, and the actual cost measured after the response.
  const admissionUs = (name: string) => cpuOf(labelOf('(b: the defaults)'), name).median;
  const actualCostUs = (name: string) => cpuOf(labelOf('actual cost'), name).median;

  if (values['in-process-only']) return;

  say('');
  const settings = gatewaySettings(values.calibrate);
  say(`Through real gateway processes: ${requests} requests per batch, ${concurrency} at a time, ${rounds} rounds`);
  const batches = await compareGateways(operations, {
    settings,
    repoRoot,
    rounds,
    requests,
    concurrency,
    batchMaxMs: 120_000,
    onBatch: (b) =>
      say(`  round ${b.round} ${b.setting.padEnd(16)} ${b.operation.padEnd(9)} ${b.cpuMsPerRequest.toFixed(3)} ms CPU/request, ${b.requestsPerSecond.toFixed(0)} requests/s, ${b.sent} sent, ${b.failed} failed`),
  });
  const failed = batches.filter((b) => b.failed > 0);
  for (const b of failed) say(`  ${b.failed} of ${b.sent} ${b.operation} requests failed through the ${b.setting} gateway: ${b.firstFailure}`);

  const rows = names.map((name) => {
    const of = (gateway: 0 | 1) => batches.filter((b) => b.operation === name && b.gateway === gateway);
    const defaults = of(0);
    const other = of(1);
    // Rounds pair a batch on each gateway run one after the other, under the same conditions.
    const pairedUs = defaults.map((b, i) => (b.cpuMsPerRequest - other[i]!.cpuMsPerRequest) * 1000);
    const wholeUs = spreadOf(defaults.map((b) => b.cpuMsPerRequest * 1000));
    const share = (us: number) => `${((us / wholeUs.median) * 100).toFixed(2)} %`;
    const checks = admissionUs(name) + actualCostUs(name);
    return [
      name,
      spreadText(wholeUs),
      spreadText(spreadOf(other.map((b) => b.cpuMsPerRequest * 1000))),
      spreadText(spreadOf(pairedUs)),
      share(spreadOf(pairedUs).median),
      admissionUs(name).toFixed(1),
      share(admissionUs(name)),
      checks.toFixed(1),
      share(checks),
    ];
  });
  say('');
  say(`Gateway CPU µs per request, median [min–max] of ${rounds} rounds`);
  table(
    [
      '',
      `${settings[0].label}: whole request`,
      settings[1].label,
      'difference (paired by round)',
      '/ whole',
      'admission in process (b)',
      '/ whole',
      '(b) + actual cost',
      '/ whole',
    ],
    rows,
  );
  if (failed.length > 0) process.exitCode = 1;
}

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${raw}`);
  return value;
}

function spreadText(s: Spread): string {
  const digits = Math.abs(s.median) >= 100 ? 0 : 1;
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  say(line(header));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) say(line(row));
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

// Exits once done even if a socket or timer would keep the loop alive: the bench stops by itself.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
