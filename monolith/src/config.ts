import { collectConfigProblems, ConfigError } from '@ficus/kit';
import { GatewayConfig, readGatewayConfig } from '@ficus/gateway';
import { ConfiguredModule, configureModule, ModuleName, moduleNames } from './modules';

export interface MonolithConfig {
  /** The modules this process serves, in start order; the others run elsewhere (extracted) and the gateway calls them over HTTP. */
  modules: ConfiguredModule[];
  gateway: GatewayConfig;
}

/**
 * The environment one part of the monolith reads: the process's own, where `<PART>__<NAME>`
 * (e.g. `ORDERS__PORT`, `ORDERS__DATABASE_URL`, `GATEWAY__PORT`) overrides `<NAME>`. A module
 * never reads the shared `PORT`, which is the gateway's (the process's public port).
 */
export function partEnv(part: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefix = `${part.toUpperCase()}__`;
  const own = Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length), value]),
  );
  const shared = part === 'gateway' ? env : Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'PORT'));
  return { ...shared, ...own };
}

/** FICUS_MONOLITH_MODULES: comma-separated module names; every module when unset. */
function modulesOf(value: string | undefined): ModuleName[] {
  if (!value?.trim()) return moduleNames;
  const named = value.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = named.filter((name) => !moduleNames.includes(name as ModuleName));
  if (unknown.length > 0) {
    throw new ConfigError([`FICUS_MONOLITH_MODULES: unknown module ${unknown.join(', ')} (the modules are ${moduleNames.join(', ')})`]);
  }
  // Start order stays the modules' own, whatever order they were named in.
  return moduleNames.filter((name) => named.includes(name));
}

/** Every part's configuration, read once; every bad variable of every part reported at once, prefixed by its part. */
export function readMonolithConfig(env: NodeJS.ProcessEnv = process.env): MonolithConfig {
  const problems: string[] = [];
  const names = collectConfigProblems(problems, () => modulesOf(env.FICUS_MONOLITH_MODULES)) ?? [];
  const modules = names.map((name) => {
    const part: string[] = [];
    const configured = collectConfigProblems(part, () => configureModule(name, partEnv(name, env)));
    problems.push(...part.map((problem) => `${name}: ${problem}`));
    return configured;
  });
  const gatewayProblems: string[] = [];
  const gateway = collectConfigProblems(gatewayProblems, () => readGatewayConfig(partEnv('gateway', env)));
  problems.push(...gatewayProblems.map((problem) => `gateway: ${problem}`));
  if (problems.length > 0 || !gateway) throw new ConfigError(problems);
  return { modules: modules as ConfiguredModule[], gateway };
}
