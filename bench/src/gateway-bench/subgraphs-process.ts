import path from 'node:path';
import readline from 'node:readline';
import { ServedProcess, startNodeProcess } from '../served-process';
import type { SubgraphsAnnouncement } from './subgraphs-main';

/** The four subgraphs, running in a child process. */
export interface SubgraphsProcess {
  urls: Record<string, string>;
  process: ServedProcess;
  /** GraphQL requests the four subgraphs have served so far, together. */
  requestsServed(): Promise<number>;
  /** Closes the idle connections the last gateway's run left open to the subgraphs and collects the garbage it left in their process (a full GC), before the next run. */
  settle(): Promise<void>;
}

/** Starts the four subgraphs in a child process and waits until all listen. */
export async function startSubgraphsProcess(workDir: string): Promise<SubgraphsProcess> {
  const logFile = path.join(workDir, 'subgraphs.log');
  const { child, process: served } = startNodeProcess({
    name: 'the subgraphs',
    script: path.join(__dirname, 'subgraphs-main.js'),
    nodeOptions: ['--expose-gc'],
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    logFile,
    stdout: 'pipe',
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the subgraphs did not start within 30 s: see ${logFile}`)), 30_000);
      child.once('exit', () => reject(new Error(`the subgraphs exited at start: see ${logFile}`)));
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
      if (!answer.collected) throw new Error('the subgraphs process cannot collect its garbage (no --expose-gc)');
    };
    return { urls, process: served, requestsServed, settle };
  } catch (err) {
    await served.stop();
    throw err;
  }
}
