import { parseArgs } from 'node:util';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The bench's command line, checked. */
export interface RegistryBenchOptions {
  subgraphs: number;
  typesPerSubgraph: number;
  operations: number;
  rounds: number;
  databases: DatabaseKind[];
  seed: number;
  /** A git ref to build in a worktree of its own and measure in the same run, before this build. */
  baseline: string | null;
  /** Leaves the baseline's worktree (and its build) in place for the next run. */
  keepBaseline: boolean;
}

export const usage = `usage: npm run bench:registry -- [--subgraphs 40] [--types-per-subgraph 100] [--operations 100000] [--rounds 3] [--databases sqlite,postgres] [--seed 1] [--baseline <git-ref> [--keep-baseline]]
  --subgraphs           generated subgraphs, 2 to 200 (default 40)
  --types-per-subgraph  type definitions per subgraph, 20 to 1000 (default 100)
  --operations          distinct operations in the usage, about 1.2 usage lines each, 100 to 1000000 (default 100000)
  --rounds              rounds per build and database, each on a fresh registry and database; medians reported, 1 to 9 (default 3)
  --databases           comma-separated: sqlite, postgres (default both)
  --seed                seed of the generated graph and usage (default 1)
  --baseline            a git ref (commit, branch) of this repository: built in a worktree under the temporary
                        directory and measured in the same run, reported side by side with ratios
  --keep-baseline       keep that worktree, reused by the next run with the same commit`;

/** A command line the bench cannot run: said with the usage, and exit code 2. */
export class UsageError extends Error {}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** Reads the command line; unknown options and bad values are UsageErrors; null asks for the usage. */
export function readOptions(args: string[]): RegistryBenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        subgraphs: { type: 'string', default: '40' },
        'types-per-subgraph': { type: 'string', default: '100' },
        operations: { type: 'string', default: '100000' },
        rounds: { type: 'string', default: '3' },
        databases: { type: 'string', default: 'sqlite,postgres' },
        seed: { type: 'string', default: '1' },
        baseline: { type: 'string' },
        'keep-baseline': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const databases = values.databases.split(',').map((d) => d.trim());
  for (const database of databases) if (database !== 'sqlite' && database !== 'postgres') throw new UsageError(`--databases takes sqlite and postgres, not "${database}"`);
  if (databases.length === 0 || new Set(databases).size !== databases.length) throw new UsageError('--databases must name each database once');
  if (values.baseline !== undefined && !/^[\w./~^@{}-]+$/.test(values.baseline)) throw new UsageError(`--baseline must be a git ref, not "${values.baseline}"`);
  if (values['keep-baseline'] && values.baseline === undefined) throw new UsageError('--keep-baseline needs --baseline');
  return {
    subgraphs: wholeNumber('subgraphs', values.subgraphs, 2, 200),
    typesPerSubgraph: wholeNumber('types-per-subgraph', values['types-per-subgraph'], 20, 1000),
    operations: wholeNumber('operations', values.operations, 100, 1_000_000),
    rounds: wholeNumber('rounds', values.rounds, 1, 9),
    databases: databases as DatabaseKind[],
    seed: wholeNumber('seed', values.seed, 0, 2 ** 31),
    baseline: values.baseline ?? null,
    keepBaseline: values['keep-baseline'],
  };
}
