import path from 'node:path';
import readline from 'node:readline';
import { ServedProcess, startNodeProcess } from '../served-process';
import { shopSubgraphs } from './shop-subgraphs';
import type { SubgraphsAnnouncement } from './subgraphs-main';

/** The four subgraphs, running in child processes. */
export interface BenchSubgraphs {
  urls: Record<string, string>;
  processes: ServedProcess[];
  /** GraphQL requests the four subgraphs have served so far, together. */
  requestsServed(): Promise<number>;
  /** Closes the idle connections the last gateway's run left open to the subgraphs and collects the garbage it left in their processes (a full GC each), before the next run. */
  settle(): Promise<void>;
}

/**
 * Starts the four subgraphs and waits until all listen: in one process, or with `perProcess` one
 * process each, as four services would run (one process's pauses then hold up only its own
 * subgraph's fetches; the machine then runs four more processes under load).
 */
export async function startSubgraphs(workDir: string, perProcess = false): Promise<BenchSubgraphs> {
  const groups = perProcess ? shopSubgraphs.map((subgraph) => [subgraph.name]) : [shopSubgraphs.map((subgraph) => subgraph.name)];
  const started = await Promise.allSettled(groups.map((names) => startSubgraphProcess(workDir, names)));
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await Promise.all(running.flatMap((s) => s.processes).map((p) => p.stop()));
    throw failure.reason;
  }
  return {
    urls: Object.assign({}, ...running.map((s) => s.urls)),
    processes: running.flatMap((s) => s.processes),
    requestsServed: async () => (await Promise.all(running.map((s) => s.requestsServed()))).reduce((sum, n) => sum + n, 0),
    settle: async () => {
      await Promise.all(running.map((s) => s.settle()));
    },
  };
}

/** Starts the named subgraphs in a child process and waits until they listen. */
async function startSubgraphProcess(workDir: string, names: string[]): Promise<BenchSubgraphs> {
  const name = names.join(', ');
  const logFile = path.join(workDir, `subgraphs-${names.join('-')}.log`);
  const { child, process: served } = startNodeProcess({
    name: `subgraphs ${name}`,
    script: path.join(__dirname, 'subgraphs-main.js'),
    nodeOptions: ['--expose-gc'],
    env: { PATH: process.env.PATH, NODE_ENV: 'production', BENCH_SUBGRAPHS: names.join(',') },
    logFile,
    stdout: 'pipe',
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`subgraphs ${name} did not start within 30 s: see ${logFile}`)), 30_000);
      child.once('exit', () => reject(new Error(`subgraphs ${name} exited at start: see ${logFile}`)));
      readline.createInterface({ input: child.stdout! }).once('line', (first) => {
        clearTimeout(timer);
        resolve(first);
      });
    });
    const { urls, countsUrl, settleUrl } = JSON.parse(line) as SubgraphsAnnouncement;
    const requestsServed = async () => {
      const counts = (await (await fetch(countsUrl, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, number>;
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    const settle = async () => {
      const answer = (await (await fetch(settleUrl, { method: 'POST', signal: AbortSignal.timeout(30_000) })).json()) as { collected: boolean };
      if (!answer.collected) throw new Error(`the process of subgraphs ${name} cannot collect its garbage (no --expose-gc)`);
    };
    return { urls, processes: [served], requestsServed, settle };
  } catch (err) {
    await served.stop();
    throw err;
  }
}
