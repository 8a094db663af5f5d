import { isPortOpen, waitFor } from '@ficus/testkit';
import { ChildService } from './child-service';

/** The process exited while the launcher waited for it. */
export class ServiceExitedError extends Error {}

/** How the launcher learns that a process of its own is ready to serve. */
export type ReadinessCheck = (service: ChildService, timeoutMs: number) => Promise<void>;

/** Ready when `GET /ready` on the port answers 200; fails at once if the process exits. */
export function httpReady(port: number): ReadinessCheck {
  return (service, timeoutMs) =>
    waitWhileRunning(service, timeoutMs, `${service.name} to be ready on port ${port}`, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      return res?.status === 200;
    });
}

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
