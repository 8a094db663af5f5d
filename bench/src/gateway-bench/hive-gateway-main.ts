import { pathToFileURL } from 'node:url';

/**
 * Starts Hive Gateway's command line (HIVE_GATEWAY_BIN) in this process, so that the process
 * the bench measures is the gateway itself: `hive-gateway supergraph SUPERGRAPH_FILE --host
 * 127.0.0.1 --port PORT --hive-router-runtime [--config-path HIVE_GATEWAY_CONFIG]`, one worker.
 */
function main(): Promise<unknown> {
  const { HIVE_GATEWAY_BIN: bin, SUPERGRAPH_FILE: file, PORT: port, HIVE_GATEWAY_CONFIG: config } = process.env;
  if (!bin || !file || !port) throw new Error('HIVE_GATEWAY_BIN, SUPERGRAPH_FILE and PORT are required');
  // Hive Gateway 2.15 calls Promise.withResolvers, which Node 20 does not have (Node 22 does).
  const promises = Promise as { withResolvers?: () => unknown };
  promises.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  const args = ['supergraph', file, '--host', '127.0.0.1', '--port', port, '--fork', '1', '--hive-router-runtime'];
  if (config) args.push('--config-path', config);
  process.argv = [process.argv[0]!, bin, ...args];
  // Hive Gateway stops itself on SIGTERM; an orphan (the bench killed) is sent one.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1_000).unref();
  return import(pathToFileURL(bin).href);
}

main().catch((err) => {
  process.stderr.write(`hive gateway: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
