import fs from 'node:fs';
import path from 'node:path';
import { ChildService, LogSink } from './child-service';
import { serviceEnvironment, serviceNodeOptions } from './node-options';
import { ServiceSpec } from './services';

/** How long a service has to answer 200 on /ready after it is started. */
export const readyTimeoutMs = 60_000;

/**
 * A service's process: its package's `dist/src/main.js` with its Node options and its package's
 * environment defaults under `env`, its output in `DATA_DIR/logs/<name>.log`.
 */
export function launchChild(root: string, spec: ServiceSpec, name: string, env: NodeJS.ProcessEnv, options: { dataDir: string; onLog?: LogSink }): ChildService {
  const entry = path.join(root, spec.dir, 'dist', 'src', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const logFile = path.join(options.dataDir, 'logs', `${name}.log`);
  const packageDir = path.join(root, spec.dir);
  return new ChildService(name, { file: process.execPath, args: [...serviceNodeOptions(packageDir), entry] }, { ...serviceEnvironment(packageDir), ...env }, logFile, options.onLog);
}
