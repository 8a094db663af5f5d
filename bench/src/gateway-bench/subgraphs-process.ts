import path from 'node:path';
import readline from 'node:readline';
import { ServedProcess, startNodeProcess } from '../served-process';

/** The four subgraphs, started in a child process: each one's URL, and the process. */
export async function startSubgraphsProcess(workDir: string): Promise<{ urls: Record<string, string>; process: ServedProcess }> {
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
    return { urls: JSON.parse(line) as Record<string, string>, process: served };
  } catch (err) {
    await served.stop();
    throw err;
  }
}
