import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export type LogSink = (service: string, line: string) => void;

/** One service of the stack running as a child process, its output appended to a log file. */
export class ChildService {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly entry: string,
    readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly sink?: LogSink,
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const file = fs.createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        file.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        sink?.(name, line);
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.exited.then(() => file.end());
  }

  /** The process id, while it runs (for CPU accounting in benchmarks). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed, for error messages. */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** Asks for a graceful stop (SIGTERM); kills it if it has not exited by the deadline. */
  async stop(deadlineMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), deadlineMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills it with no chance to clean up, as a crash or an OOM kill would. */
  async crash(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A new process of the same service with the same environment. */
  relaunch(): ChildService {
    return new ChildService(this.name, this.entry, this.env, this.logFile, this.sink);
  }
}
