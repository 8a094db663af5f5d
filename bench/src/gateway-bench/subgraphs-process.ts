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
}

/** Starts the four subgraphs in a child process and waits until all listen. */
export async function startSubgraphsProcess(workDir: string): Promise<SubgraphsProcess> {
  const logFile = path.join(workDir, 'subgraphs.log');
  const { child, process: served } = startNodeProcess({
    name: 'the subgraphs',
    script: path.join(__dirname, 'subgraphs-main.js'),
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
    const { urls, countsUrl } = JSON.parse(line) as SubgraphsAnnouncement;
    const requestsServed = async () => {
      const counts = (await (await fetch(countsUrl, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, number>;
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    return { urls, process: served, requestsServed };
  } catch (err) {
    await served.stop();
    throw err;
  }
}
