import path from 'node:path';
import { ConfigError } from '@ficus/kit';
import { readLauncherConfig } from './launcher-config';
import { migrateStack } from './migrate-stack';

/** `npm run migrate`: every service's database migrated as `npm start` would open it, then exit (1 if any failed). */
async function main(): Promise<void> {
  const config = readLauncherConfig();
  const outcomes = await migrateStack({
    dataDir: path.resolve(config.DATA_DIR),
    nodeEnv: config.NODE_ENV,
    // The services' own lines are not shown: the summary says what happened to each.
    logLevel: 'warn',
    postgresUrl: config.POSTGRES_URL,
    natsUrl: config.NATS_URL,
  });
  for (const outcome of outcomes) {
    process.stdout.write(outcome.ok ? `${outcome.service}: migrated\n` : `${outcome.service}: FAILED\n${outcome.output}\n`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  process.stdout.write(failed === 0 ? `all ${outcomes.length} databases at the latest migration\n` : `${failed} of ${outcomes.length} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`ficus migrate: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
