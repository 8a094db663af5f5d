import fs from 'node:fs';
import net from 'node:net';

/**
 * A port for a test's server: free now, and not handed out again by this process until the
 * rest of its block has been.
 *
 * Asking the OS (`listen(0)`, then close) is not enough: the OS may give the same port to the
 * next caller, or to an outgoing connection, before the server meant to have it binds, and two
 * services of one test stack once got one port that way (the registry's readiness probe was
 * answered by a subgraph). So each process takes ports from a block of its own below the
 * kernel's ephemeral range, which outgoing connections never use: the block follows
 * JEST_WORKER_ID, so parallel jest workers never meet. Each candidate is still bound once, to
 * skip a port some other program holds.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < portBlock.size; tries++) {
    const port = portBlock.next();
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${portBlock.describe()}`);
}

const blockSize = 1_000;
const lowestPort = 10_000;

/** Ports [first, first + size) handed out in turn, wrapping around once all were given. */
class PortBlock {
  private offset = 0;
  constructor(
    private readonly first: number,
    readonly size: number,
  ) {}

  next(): number {
    const port = this.first + this.offset;
    this.offset = (this.offset + 1) % this.size;
    return port;
  }

  describe(): string {
    return `ports ${this.first}-${this.first + this.size - 1}`;
  }
}

const portBlock = ((): PortBlock => {
  const blocks = Math.max(1, Math.floor((ephemeralRangeStart() - lowestPort) / blockSize));
  const worker = Number(process.env.JEST_WORKER_ID);
  // Outside jest (a benchmark), a block by process id: unlikely to meet a jest worker's, and the bind check covers the rest.
  const index = Number.isInteger(worker) && worker > 0 ? (worker - 1) % blocks : process.pid % blocks;
  return new PortBlock(lowestPort + index * blockSize, blockSize);
})();

/** Where the kernel starts choosing ports for outgoing connections and `listen(0)` (Linux's setting, else IANA's 49152). */
function ephemeralRangeStart(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > lowestPort + blockSize) return low;
  } catch {
    // Not Linux.
  }
  return 49_152;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
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
