import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BuildUnderTest, currentBuild, prepareBaseline } from './registry-bench/builds';
import { readOptions, RegistryBenchOptions, usage, UsageError } from './registry-bench/options';
import { BuildFigures, outcomesTable, stepsTable, targetsTable } from './registry-bench/report';
import { requireGnuTime, runRound } from './registry-bench/round';
import type { RunningSet } from './registry-bench/registry-process';
import { prepareWorkload } from './registry-bench/workload';
import { describeHost } from './host-speed';

/**
 * The schema registry at the scale of a large graph: a generated graph of 40 subgraphs of about
 * 100 types each and usage of 100,000 distinct operations (seeded, from @ficus/testkit), against
 * the real registry process on SQLite and on PostgreSQL: publishing each subgraph, ingesting the
 * usage in batches of 500 over HTTP as a gateway does, three `ficus subgraph check` runs (an
 * additive change, a removed field used by 1 % of operations, a retyped shared entity field)
 * while `/health` is polled, and the offline `ficus supergraph compose`; wall time, the
 * registry's CPU and peak RSS per step. `--baseline <ref>` measures another commit in the
 * same run and prints ratios.
 *
 *   npm run bench:registry -- [--subgraphs 40] [--operations 100000] [--rounds 3] [--databases sqlite,postgres] [--seed 1] [--baseline main]
 */
async function main(options: RegistryBenchOptions, running: RunningSet): Promise<void> {
  const repoRoot = path.resolve(__dirname, '../../..');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-registry-bench-'));
  say(`registry bench: ${describeHost()}; work files and registry logs in ${workDir}`);
  requireGnuTime();
  const builds: BuildUnderTest[] = [];
  try {
    if (options.baseline) {
      const baseline = prepareBaseline(repoRoot, options.baseline, options.keepBaseline, say);
      builds.push(baseline);
      running.add(async () => baseline.dispose());
    }
    builds.push(currentBuild(repoRoot));
    const workload = prepareWorkload(options, workDir);
    say(`graph (seed ${options.seed}): ${workload.graph.subgraphs.length} subgraphs, ${workload.graph.typeCount} type definitions; usage: ${workload.operations} operations, ${workload.usageLines} lines in ${workload.batches.length} batches`);
    for (const name of ['additive', 'removal', 'retype'] as const) say(`check ${name}: ${workload.graph.changes[name].subgraph} ${workload.graph.changes[name].description}`);

    const report: string[] = [];
    for (const kind of options.databases) {
      const figures: BuildFigures[] = builds.map((b) => ({ label: b.label, kind, rounds: [] }));
      for (let round = 1; round <= options.rounds; round++) {
        // Builds take turns within a round, so that a slower stretch of the machine hits both.
        for (const [i, build] of builds.entries()) {
          say(`${kind}, round ${round}, ${build.label}:`);
          figures[i]!.rounds.push(await runRound(build, kind, workload, path.join(workDir, `${kind}-${round}-${i}`), running, say));
        }
      }
      report.push(
        `### ${kind}: ${workload.graph.subgraphs.length} subgraphs, ${workload.operations} operations, ${options.rounds} round${options.rounds === 1 ? '' : 's'} (medians; peaks are maxima)`,
        '',
        stepsTable(figures, workload.graph.subgraphs.length),
        '',
        'Targets (issue 16):',
        '',
        targetsTable(figures),
        '',
        'What each step answered (first round):',
        '',
        outcomesTable(figures),
        '',
      );
    }
    say('');
    say(report.join('\n'));
  } finally {
    for (const build of builds) build.dispose();
    fs.rmSync(path.join(workDir, 'schemas'), { recursive: true, force: true });
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

let options: RegistryBenchOptions | null;
try {
  options = readOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`error: ${err.message}\n${usage}\n`);
  process.exit(2);
}
if (options === null) {
  say(usage);
} else {
  // A signal stops the run: the registry running is stopped and its database dropped first.
  const running: RunningSet = new Set();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`error: registry bench interrupted (${signal})\n`);
      void Promise.allSettled([...running].map((stop) => stop())).finally(() => process.exit(130));
    });
  }
  main(options, running).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`error: registry bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
