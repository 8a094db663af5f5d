import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Hive Gateway the bench compares with, pinned: the gateway and the Rust query planner
 * runtime it loads for `--hive-router-runtime`. A tree of about 300 packages, so it is not a
 * dependency of the repository: the bench installs it on first use into a cache of its own.
 */
export const hiveGatewayPackages = { '@graphql-hive/gateway': '2.15.1', '@graphql-hive/router-runtime': '1.4.23' } as const;

/** Where Hive Gateway is installed, or why it could not be. */
export type HiveGatewayInstall = { ok: true; bin: string } | { ok: false; reason: string };

/** The cache folder for these exact versions, under `cacheRoot` (the repository's ignored .data/). */
export function hiveGatewayDir(cacheRoot: string): string {
  const versions = Object.entries(hiveGatewayPackages).map(([name, version]) => `${name.split('/')[1]}-${version}`);
  return path.join(cacheRoot, 'bench-peers', versions.join('+'));
}

/** Installs the pinned packages into `dir` with npm unless they are there already. */
export async function ensureHiveGateway(dir: string, log: (line: string) => void): Promise<HiveGatewayInstall> {
  const bin = path.join(dir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  if (installed(dir)) return { ok: true, bin };
  fs.mkdirSync(dir, { recursive: true });
  // A package.json of its own, so that npm never takes the repository's workspace root for the project.
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'ficus-bench-peers', private: true, dependencies: hiveGatewayPackages }, null, 2)}\n`);
  const logFile = path.join(dir, 'npm-install.log');
  log(`installing ${describe()} into ${dir} (first use; a few minutes; log in ${logFile})`);
  const outcome = await new Promise<string | null>((resolve) => {
    const args = ['install', '--prefix', dir, '--no-audit', '--no-fund'];
    execFile('npm', args, { cwd: dir, timeout: 15 * 60_000, maxBuffer: 20_000_000 }, (err, stdout, stderr) => {
      fs.writeFileSync(logFile, `${stdout}\n${stderr}`);
      const npmError = stderr.split('\n').find((line) => line.startsWith('npm error')) ?? err?.message.split('\n')[0];
      resolve(err ? `npm install failed (${npmError}): see ${logFile}` : null);
    });
  });
  if (outcome) return { ok: false, reason: outcome };
  if (!installed(dir)) return { ok: false, reason: `npm install did not leave ${describe()} in ${dir}: see ${logFile}` };
  return { ok: true, bin };
}

function installed(dir: string): boolean {
  return Object.entries(hiveGatewayPackages).every(([name, version]) => {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
      return manifest.version === version;
    } catch {
      return false;
    }
  });
}

function describe(): string {
  return Object.entries(hiveGatewayPackages)
    .map(([name, version]) => `${name}@${version}`)
    .join(' and ');
}
