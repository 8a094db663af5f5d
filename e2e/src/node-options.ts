import fs from 'node:fs';
import path from 'node:path';

/**
 * How a service's package asks to be run (`ficus` in its package.json): the Node.js options
 * (`nodeOptions`, e.g. the gateway's young-generation size) and environment defaults
 * (`environment`, e.g. glibc's malloc tunables, read by the C library before Node starts). Every
 * way of starting a service (this launcher, the benchmarks, a container's entrypoint) applies
 * both; a variable the operator sets wins over the package's default.
 */
interface ServiceRuntime {
  nodeOptions?: unknown;
  environment?: unknown;
}

function runtimeOf(packageDir: string): ServiceRuntime {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { ficus?: ServiceRuntime };
  return manifest.ficus ?? {};
}

/** The Node.js options a service's package asks to run with (`ficus.nodeOptions`). */
export function serviceNodeOptions(packageDir: string): string[] {
  const options = runtimeOf(packageDir).nodeOptions ?? [];
  if (!Array.isArray(options) || !options.every((o): o is string => typeof o === 'string' && o.startsWith('--'))) {
    throw new Error(`${packageDir}/package.json: ficus.nodeOptions must be a list of --options`);
  }
  return options;
}

// Plain names and values: the container's entrypoint exports them from a shell without quoting.
const variableName = /^[A-Z_][A-Z0-9_]*$/;
const plainValue = /^[\w.:=,/-]*$/;

/** The environment defaults a service's package asks to run with (`ficus.environment`). */
export function serviceEnvironment(packageDir: string): Record<string, string> {
  const environment = runtimeOf(packageDir).environment ?? {};
  const valid =
    typeof environment === 'object' &&
    environment !== null &&
    !Array.isArray(environment) &&
    Object.entries(environment).every(([name, value]) => variableName.test(name) && typeof value === 'string' && plainValue.test(value));
  if (!valid) throw new Error(`${packageDir}/package.json: ficus.environment must map VARIABLE names to plain string values`);
  return environment as Record<string, string>;
}

/** `env` over the package's environment defaults: what the operator set wins. */
export function withServiceEnvironment(packageDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...serviceEnvironment(packageDir), ...env };
}
