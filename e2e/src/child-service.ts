import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export type LogSink = (service: string, line: string) => void;

/** How a process ended: an exit code, or the signal that killed it. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What to run: a program and its arguments (a node service is `process.execPath` and its entry). */
export interface ServiceCommand {
  file: string;
  args: string[];
}

/** One service of the stack running as a child process, its output appended to a log file. */
export class ChildService {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private stopRequested = false;
  /** Resolves when the process has exited, with its exit code. */
  readonly exited: Promise<number | null>;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exit: Promise<ServiceExit>;

  constructor(
    readonly name: string,
    readonly command: ServiceCommand,
    readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly sink?: LogSink,
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const file = fs.createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(command.file, command.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        file.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        sink?.(name, line);
      });
    }
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      // A program that could not be spawned (ENOENT) may never emit 'exit'.
      this.child.once('error', () => {
        if (this.child.pid === undefined) resolve({ code: null, signal: null });
      });
    });
    this.exited = this.exit.then(({ code }) => code);
    this.exit.then(() => file.end());
  }

  /** The process id, while it runs (for CPU accounting in benchmarks, and for the launcher's output). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Whether its exit was asked for (`stop`), as opposed to a crash. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** The last lines it printed, for error messages. */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** Asks for a graceful stop (SIGTERM); kills it if it has not exited by the deadline. */
  async stop(deadlineMs = 15_000): Promise<void> {
    this.stopRequested = true;
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

  /** A new process of the same service with the same command, environment and log file. */
  relaunch(): ChildService {
    return new ChildService(this.name, this.command, this.env, this.logFile, this.sink);
  }
}
