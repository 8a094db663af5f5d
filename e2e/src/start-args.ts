import { parseArgs } from 'node:util';

/** What `npm start -- …` asks: services mode, or the monolith with some modules extracted. */
export interface StartMode {
  monolith?: { extract: string[] };
}

export class StartUsageError extends Error {}

const usage = 'usage: npm start [-- --monolith [--extract <module>[,<module>…]]]';

/**
 * `--monolith` (or FICUS_MODE=monolith) runs the subgraphs and the gateway in one process;
 * `--extract orders` (or FICUS_MONOLITH_EXTRACT=orders) runs the named modules as their own services.
 */
export function startModeOf(args: string[], config: { FICUS_MODE: 'services' | 'monolith'; FICUS_MONOLITH_EXTRACT?: string }): StartMode {
  let values: { monolith?: boolean; extract?: string[] };
  try {
    ({ values } = parseArgs({ args, options: { monolith: { type: 'boolean' }, extract: { type: 'string', multiple: true } }, strict: true }));
  } catch (err) {
    throw new StartUsageError(`${(err as Error).message}\n${usage}`);
  }
  const extractArgs = (values.extract ?? []).flatMap((list) => list.split(',')).map((name) => name.trim());
  if (extractArgs.some((name) => !/^[a-z-]+$/.test(name))) throw new StartUsageError(`--extract takes module names, e.g. --extract orders\n${usage}`);
  const monolith = values.monolith === true || config.FICUS_MODE === 'monolith';
  const extract = extractArgs.length > 0 ? extractArgs : (config.FICUS_MONOLITH_EXTRACT?.split(',') ?? []);
  if (!monolith) {
    if (extractArgs.length > 0) throw new StartUsageError(`--extract needs --monolith (every service already runs on its own)\n${usage}`);
    return {};
  }
  return { monolith: { extract: [...new Set(extract)] } };
}
