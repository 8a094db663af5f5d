import { ConfigError } from '../config/parse-config';
import { SchemaNotMigratedError } from '../db/schema-version';
import { stopTracing } from '../telemetry/tracing';

interface Stoppable {
  stop(): Promise<void>;
}

/** Set by a launcher (`npm start`, tests, benchmarks) so that its services never outlive it. */
export const EXIT_WITH_PARENT_VARIABLE = 'FICUS_EXIT_WITH_PARENT';

/** A graceful stop that takes longer is abandoned: the process exits 1 rather than linger. */
export const STOP_DEADLINE_MS = 30_000;

/** What a service's `main.ts` does besides serving, chosen by its first argument. */
export interface ServiceCommands {
  /** `migrate`: migrate the service's database, then exit (0, or 1 with the error). */
  migrate?: () => Promise<unknown>;
}

/**
 * The one boot path of a service's `main.ts`: with no argument, build it and stop it
 * gracefully on SIGINT or SIGTERM; with `migrate`, migrate its database and exit (an init
 * container, `npm run migrate`). A bad configuration prints every problem and exits 1; a
 * second signal forces exit. Under a launcher, the service also stops gracefully when the launcher dies.
 */
export function runService(
  name: string,
  boot: () => Promise<Stoppable>,
  commands: ServiceCommands = {},
  args: string[] = process.argv.slice(2),
): void {
  if (args.length > 0) return runCommand(name, args, commands);
  // Config is read inside boot: a ConfigError thrown synchronously must get the same clean message.
  Promise.resolve()
    .then(boot)
    .then(
      (service) => {
        let signals = 0;
        const shutdown = (reason: string) => {
          signals += 1;
          if (signals > 1) process.exit(1);
          // A stop that hangs (a peer that never answers) must not leave the process running.
          setTimeout(() => {
            process.stderr.write(`${name}: did not stop within ${STOP_DEADLINE_MS} ms after ${reason}; exiting\n`);
            process.exit(1);
          }, STOP_DEADLINE_MS).unref();
          // Spans still buffered are exported once the service has finished its last requests.
          service
            .stop()
            .then(() => stopTracing())
            .then(
              () => process.exit(0),
              (err) => {
                process.stderr.write(`${name}: error while stopping after ${reason}: ${String(err)}\n`);
                process.exit(1);
              },
            );
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
        if (process.env[EXIT_WITH_PARENT_VARIABLE] === '1') watchParent(() => shutdown('the launcher exited'));
      },
      (err) => {
        if (err instanceof ConfigError) process.stderr.write(`${name}: ${err.message}\n`);
        else if (err instanceof SchemaNotMigratedError) process.stderr.write(`${name}: refusing to start: ${err.message}\n`);
        else process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      },
    );
}

function runCommand(name: string, args: string[], commands: ServiceCommands): void {
  const [command, ...rest] = args;
  if (command !== 'migrate' || !commands.migrate || rest.length > 0) {
    const usage = commands.migrate ? 'usage: main.js [migrate]' : 'it takes no arguments';
    process.stderr.write(`${name}: unknown arguments "${args.join(' ')}"; ${usage}\n`);
    process.exit(64);
  }
  // Config is read inside migrate, as in boot: a ConfigError gets the same clean message.
  Promise.resolve()
    .then(commands.migrate)
    .then(
      () => process.exit(0),
      (err) => {
        const message = err instanceof Error ? err.message : String(err);
        process.stderr.write(`${name}: migrate failed: ${message}\n`);
        process.exit(1);
      },
    );
}

/** An orphaned process is re-parented, so a changed parent pid means the launcher is gone. */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 1_000);
  timer.unref();
}
