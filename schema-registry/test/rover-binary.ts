/**
 * The real `rover` (the @apollo/rover devDependency, pinned) run against a test registry: its binary
 * ships inside the platform package npm installs, so nothing is downloaded at install or run time.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestRegistry } from './registry-harness';

export interface RoverRun {
  /** rover's exit code (null if it was killed). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RoverCli {
  /** `rover <args>` with the registry's key with every scope, or `key`; `stdin` is piped in (`--schema -`). */
  run(args: string[], options?: { key?: string; stdin?: string }): Promise<RoverRun>;
  /** Writes a file (an SDL) into rover's temporary folder and returns its path. */
  file(name: string, content: string): string;
  cleanup(): void;
}

/** The binary itself, as `@apollo/rover/bin/rover.js` finds it (starting it directly saves a Node start per call). */
function roverCommand(): string[] {
  const exe = process.platform === 'win32' ? 'rover.exe' : 'rover';
  try {
    return [require.resolve(`@apollo/rover-${process.platform}-${process.arch}/${exe}`)];
  } catch {
    // musl builds and other layouts: the package's launcher picks the binary.
    return [process.execPath, require.resolve('@apollo/rover/bin/rover.js')];
  }
}

// A stuck rover must fail its test, not hang the run; rover calls take well under a second here.
const roverTimeoutMs = 30_000;

/**
 * rover pointed at `t` by APOLLO_REGISTRY_URL and APOLLO_KEY, with a HOME of its own (its profile,
 * machine id and update checks stay out of the user's) and telemetry and self-update off. Only
 * these variables are passed: an APOLLO_KEY in the developer's environment must not leak in.
 */
export function roverAgainst(t: TestRegistry): RoverCli {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-rover-'));
  const [command, ...prefix] = roverCommand() as [string, ...string[]];
  return {
    run(args, options = {}) {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        APOLLO_REGISTRY_URL: `${t.registry.baseUrl}/api/graphql`,
        APOLLO_KEY: options.key ?? t.keys.all,
        APOLLO_TELEMETRY_DISABLED: '1',
        APOLLO_ROVER_SKIP_UPDATE: '1',
        NO_COLOR: '1',
        RUST_BACKTRACE: '0',
      };
      return new Promise((resolve, reject) => {
        // Asynchronous on purpose: the registry answering rover runs in this process.
        const child = spawn(command, [...prefix, ...args], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), roverTimeoutMs);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        });
        child.stdin.end(options.stdin ?? '');
      });
    },
    file(name, content) {
      const file = path.join(home, name);
      fs.writeFileSync(file, content);
      return file;
    },
    cleanup() {
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** rover's `--format json` envelope. */
export interface RoverJson<T = any> {
  json_version: string;
  data: T & { success: boolean };
  error: { message: string; code: string | null; details?: any } | null;
}

export function roverJson<T = any>(run: RoverRun): RoverJson<T> {
  try {
    return JSON.parse(run.stdout) as RoverJson<T>;
  } catch {
    throw new Error(`rover printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
