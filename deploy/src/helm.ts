import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { readZipEntry } from './zip-entry';

/**
 * The helm binary (3.8.1, linux-amd64) that @aws-cdk/asset-kubectl-v20 ships in its layer.zip:
 * the real renderer from the npm registry, so the chart is checked as `helm` renders it, not
 * by an imitation of Go templates. Extracted once into node_modules/.cache.
 */
export function helmBinary(): string {
  const asset = path.dirname(require.resolve('@aws-cdk/asset-kubectl-v20/package.json'));
  const { version } = JSON.parse(fs.readFileSync(path.join(asset, 'package.json'), 'utf8')) as { version: string };
  const binary = path.join(asset, '..', '..', '.cache', `ficus-helm-${version}`, 'helm');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  // Test files run side by side: each writes its own copy and renames it into place.
  const partial = `${binary}.${process.pid}`;
  fs.writeFileSync(partial, readZipEntry(path.join(asset, 'lib', 'layer.zip'), 'helm/helm'), { mode: 0o755 });
  fs.renameSync(partial, binary);
  return binary;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; a non-zero exit is a result (`ok: false`), not a throw. */
export async function helm(args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(helmBinary(), args, {
      maxBuffer: 64 * 1024 * 1024,
      // No kube config or cache of the developer's: rendering reads nothing but the chart.
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', HELM_CACHE_HOME: '/tmp/ficus-helm-cache', HELM_CONFIG_HOME: '/tmp/ficus-helm-config' },
    });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(err) };
  }
}
