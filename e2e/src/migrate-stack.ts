import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions } from './node-options';
import { repoRoot } from './repo';
import { databaseEnv, ServiceEnvOptions, sharedServiceEnv } from './service-env';
import { registry, ServiceSpec, subgraphs } from './services';

export interface MigrationOutcome {
  service: string;
  ok: boolean;
  /** What the service printed on stderr: the reason, when it failed. */
  output: string;
}

/** The services that own a database, in start order: every subgraph, then the registry. */
export const servicesWithDatabases: ServiceSpec[] = [...subgraphs, registry];

/**
 * Runs `main.js migrate` for each service with a database, one after another, with the
 * environment `npm start` gives it (same DATA_DIR, POSTGRES_URL or database URLs). Never throws
 * for a service that fails: each outcome is reported.
 */
export async function migrateStack(options: ServiceEnvOptions & { natsUrl?: string }): Promise<MigrationOutcome[]> {
  const root = repoRoot();
  fs.mkdirSync(options.dataDir, { recursive: true });
  const shared = sharedServiceEnv(options, options.natsUrl ?? 'nats://127.0.0.1:4222');
  const outcomes: MigrationOutcome[] = [];
  for (const spec of servicesWithDatabases) {
    const entry = path.join(root, spec.dir, 'dist', 'src', 'main.js');
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
    const packageDir = path.join(root, spec.dir);
    const args = [...serviceNodeOptions(packageDir), entry, 'migrate'];
    const env = { ...serviceEnvironment(packageDir), ...shared, ...databaseEnv(options, spec.name) };
    outcomes.push(
      await new Promise<MigrationOutcome>((resolve) => {
        execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) =>
          resolve({ service: spec.name, ok: !err, output: stderr.trim() }),
        );
      }),
    );
  }
  return outcomes;
}
