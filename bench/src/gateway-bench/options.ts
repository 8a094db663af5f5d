import { parseArgs } from 'node:util';

/** The bench's command line, checked. */
export interface BenchOptions {
  seconds: number;
  warmup: number;
  connections: number;
  threads: number;
  /** Rounds at saturation, the gateways taking turns: each gateway's figures are the medians. */
  saturationRounds: number;
  /** The run per gateway and round at one request rate offered to all (after a warm-up at that rate). */
  sameLoadSeconds: number;
  /** Rounds at the same offered load, the gateways taking turns: each gateway's figures are the medians. */
  sameLoadRounds: number;
  hive: boolean;
  /** Each subgraph in a process of its own, rather than the four in one. */
  subgraphProcesses: boolean;
  /** Also run the floor: the bench query's subgraph requests made by hand, with no engine. */
  floor: boolean;
}

export const usage = `usage: npm run bench:gateway -- [--seconds 20] [--warmup 5] [--connections 50] [--threads 2] [--saturation-rounds 3] [--same-load-seconds 10] [--same-load-rounds 3] [--skip-hive] [--subgraph-processes] [--skip-floor]
  --seconds            measured wrk run per gateway and round at saturation, 1 to 300 (default 20)
  --saturation-rounds  rounds at saturation, gateways taking turns; medians reported, 1 to 9 (default 3)
  --warmup             wrk run before each measure, 1 to 60 (default 5)
  --connections        wrk connections (at least that many at the same load), 1 to 1000 (default 50)
  --threads            wrk threads, 1 to 16 (default 2)
  --same-load-seconds  measured run per gateway and round at the same offered load, 1 to 300 (default 10)
  --same-load-rounds   rounds at the same offered load, gateways taking turns; medians reported, 1 to 9 (default 3)
  --skip-hive          leave Hive Gateway out (it is installed on first use otherwise)
  --subgraph-processes each subgraph in a process of its own (default: the four in one process)
  --skip-floor         leave out the floor (the query's subgraph requests made by hand, no engine)`;

/** A command line the bench cannot run: said with the usage, and exit code 2. */
export class UsageError extends Error {}

/** Reads the command line; unknown options and bad values are UsageErrors; null asks for the usage. */
export function readOptions(args: string[]): BenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        seconds: { type: 'string', default: '20' },
        warmup: { type: 'string', default: '5' },
        connections: { type: 'string', default: '50' },
        threads: { type: 'string', default: '2' },
        'saturation-rounds': { type: 'string', default: '3' },
        'same-load-seconds': { type: 'string', default: '10' },
        'same-load-rounds': { type: 'string', default: '3' },
        'skip-hive': { type: 'boolean', default: false },
        'subgraph-processes': { type: 'boolean', default: false },
        'skip-floor': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    // parseArgs throws a TypeError with an ERR_PARSE_ARGS_* code for unknown options, missing values and positionals.
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
    throw err;
  }
  if (values.help) return null;
  return {
    seconds: bounded('seconds', values.seconds, 1, 300),
    warmup: bounded('warmup', values.warmup, 1, 60),
    connections: bounded('connections', values.connections, 1, 1000),
    threads: bounded('threads', values.threads, 1, 16),
    saturationRounds: bounded('saturation-rounds', values['saturation-rounds'], 1, 9),
    sameLoadSeconds: bounded('same-load-seconds', values['same-load-seconds'], 1, 300),
    sameLoadRounds: bounded('same-load-rounds', values['same-load-rounds'], 1, 9),
    hive: !values['skip-hive'],
    subgraphProcesses: values['subgraph-processes'],
    floor: !values['skip-floor'],
  };
}

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}
