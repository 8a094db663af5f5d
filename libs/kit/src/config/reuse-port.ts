import { z } from 'zod';

/** The first releases whose `server.listen` takes `reusePort` (SO_REUSEPORT): 22.12 on the 22 line, 23.1 after it. */
export function nodeSupportsReusePort(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * `REUSE_PORT=true`: several instances of a service on one machine listen on one port and the
 * kernel spreads connections among them (SO_REUSEPORT, Linux and some BSDs). An older Node
 * would ignore the option and fail with EADDRINUSE on the second instance, or worse, so the
 * variable is refused there at start.
 */
export const reusePortEnv = (nodeVersion: string = process.versions.node) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1')
    .refine((on) => !on || nodeSupportsReusePort(nodeVersion), {
      message: `needs Node 22.12 or later (SO_REUSEPORT in server.listen); this is Node ${nodeVersion}`,
    });
