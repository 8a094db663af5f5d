import { ConfigError } from '../config/parse-config';

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The one boot path of a service's `main.ts`: build it, stop it gracefully on SIGINT or
 * SIGTERM. A bad configuration prints every problem and exits 1; a second signal forces exit.
 */
export function runService(name: string, boot: () => Promise<Stoppable>): void {
  // Config is read inside boot: a ConfigError thrown synchronously must get the same clean message.
  Promise.resolve()
    .then(boot)
    .then(
    (service) => {
      let signals = 0;
      const shutdown = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) process.exit(1);
        service.stop().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`${name}: error while stopping after ${signal}: ${String(err)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
    (err) => {
      if (err instanceof ConfigError) process.stderr.write(`${name}: ${err.message}\n`);
      else process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
