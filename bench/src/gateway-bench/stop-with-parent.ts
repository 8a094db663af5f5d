/**
 * Stops gracefully on SIGINT or SIGTERM, or when the parent process is gone (an orphan is
 * re-parented), and exits. Only node builtins, so a measured process loads nothing else.
 */
export function stopWithParent(stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown();
  }, 1_000).unref();
}
