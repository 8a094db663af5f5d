import fs from 'node:fs';
import path from 'node:path';

/**
 * The Node.js options a service's package asks to run with (`ficus.nodeOptions` in its
 * package.json), e.g. the gateway's young-generation size. Every way of starting a service
 * (this launcher, the benchmarks, a container's command) passes them to `node`.
 */
export function serviceNodeOptions(packageDir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { ficus?: { nodeOptions?: unknown } };
  const options = manifest.ficus?.nodeOptions ?? [];
  if (!Array.isArray(options) || !options.every((o): o is string => typeof o === 'string' && o.startsWith('--'))) {
    throw new Error(`${packageDir}/package.json: ficus.nodeOptions must be a list of --options`);
  }
  return options;
}
