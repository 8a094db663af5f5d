import net from 'node:net';

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  await waitFor(() => isPortOpen(port), { timeoutMs, what: `port ${port} to accept connections` });
}

/**
 * Polls `probe` until it returns something truthy, or fails after `timeoutMs` naming
 * what it waited for. Tests wait on conditions with this, never on fixed sleeps.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
    /** Errors of this class end the wait at once instead of being retried. */
    failFast?: new (...args: any[]) => Error;
  } = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 15_000, intervalMs = 50, what = 'condition', failFast } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      if (failFast && err instanceof failFast) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
