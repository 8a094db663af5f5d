import fs from 'node:fs';
import path from 'node:path';

interface ServiceManifest {
  ficus?: { nodeOptions?: unknown; env?: unknown };
}

function manifestOf(packageDir: string): ServiceManifest {
  return JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as ServiceManifest;
}

/**
 * The Node.js options a service's package asks to run with (`ficus.nodeOptions` in its
 * package.json), e.g. the gateway's young-generation size. Every way of starting a service
 * (this launcher, the benchmarks, a container's command) passes them to `node`.
 */
export function serviceNodeOptions(packageDir: string): string[] {
  const options = manifestOf(packageDir).ficus?.nodeOptions ?? [];
  if (!Array.isArray(options) || !options.every((o): o is string => typeof o === 'string' && o.startsWith('--'))) {
    throw new Error(`${packageDir}/package.json: ficus.nodeOptions must be a list of --options`);
  }
  return options;
}

/**
 * Environment variables a service's package asks to start with (`ficus.env`): settings a process
 * reads only as it starts, such as glibc's `MALLOC_ARENA_MAX`. They are defaults: a variable the
 * environment sets already wins. Values are plain words, so that a shell can pass them on as they are.
 */
export function serviceEnvironment(packageDir: string): Record<string, string> {
  const env = manifestOf(packageDir).ficus?.env ?? {};
  const valid =
    typeof env === 'object' &&
    env !== null &&
    !Array.isArray(env) &&
    Object.entries(env).every(([name, value]) => /^[A-Z][A-Z0-9_]*$/.test(name) && typeof value === 'string' && /^[\w.,:/=-]*$/.test(value));
  if (!valid) throw new Error(`${packageDir}/package.json: ficus.env must map variable names (A-Z, 0-9, _) to plain words`);
  return env as Record<string, string>;
}
