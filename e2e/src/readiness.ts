import fs from 'node:fs';
import { isPortOpen, waitFor } from '@ficus/testkit';
import { ChildService } from './child-service';

/** The process exited while the launcher waited for it. */
export class ServiceExitedError extends Error {}

/** How the launcher learns that a process of its own is ready to serve. */
export type ReadinessCheck = (service: ChildService, timeoutMs: number) => Promise<void>;

/**
 * Ready when `GET /ready` on the port answers 200 and, where Linux's /proc tells, the process
 * itself listens on the port: a 200 from another program on a port taken twice is not this
 * service being ready. Fails at once if the process exits.
 */
export function httpReady(port: number): ReadinessCheck {
  return (service, timeoutMs) =>
    waitWhileRunning(service, timeoutMs, `${service.name} to be ready on port ${port}`, async () => {
      if (canReadSockets() && (service.pid === undefined || !listensOn(service.pid, port))) return false;
      const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      return res?.status === 200;
    });
}

const canReadSockets = () => fs.existsSync('/proc/net/tcp');

/** Ready when the port accepts connections (a server without a readiness endpoint, as NATS here). */
export function portOpen(port: number): ReadinessCheck {
  return (service, timeoutMs) => waitWhileRunning(service, timeoutMs, `${service.name} to listen on port ${port}`, () => isPortOpen(port));
}

async function waitWhileRunning(service: ChildService, timeoutMs: number, what: string, probe: () => Promise<boolean>): Promise<void> {
  await waitFor(
    async () => {
      if (!service.running) {
        throw new ServiceExitedError(`${service.name} exited before it was ready:\n${service.recentOutput()}`);
      }
      return probe();
    },
    { timeoutMs, intervalMs: 100, what, failFast: ServiceExitedError },
  ).catch((err) => {
    throw err instanceof ServiceExitedError ? err : new Error(`${String(err)}\n${service.recentOutput()}`);
  });
}

/**
 * Ready when the process itself listens on the port, for processes that share it (REUSE_PORT),
 * where `GET /ready` could be answered by another. A subgraph listens only once its database,
 * NATS streams, outbox relay and consumers are up, so listening is being ready. Linux only:
 * the process's sockets are read from /proc.
 */
export function sharedPortReady(port: number): ReadinessCheck {
  return (service, timeoutMs) =>
    waitWhileRunning(service, timeoutMs, `${service.name} to listen on the shared port ${port}`, async () =>
      service.pid === undefined ? false : listensOn(service.pid, port),
    );
}

/** Whether process `pid` holds a TCP socket listening on `port`: its socket inodes against /proc/net/tcp{,6}. */
export function listensOn(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]!);
    } catch {
      // Closed between the listing and the read.
    }
  }
  const localPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listening = '0A';
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = fs.readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(localPort) && fields[3] === listening && inodes.has(fields[9]!)) return true;
    }
  }
  return false;
}
