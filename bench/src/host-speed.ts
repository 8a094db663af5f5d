import os from 'node:os';

/**
 * How fast this host's cores are, in a figure that compares across hosts: the CPU time of a loop of
 * 3·10⁸ additions, the best of three. Absolute targets (a registry check in under 3 s) hold on some
 * hosts and not on others, and docs/benchmarks.md gives each run's host this figure.
 */
export function additionLoopMs(): number {
  let best = Infinity;
  let total = 0;
  for (let run = 0; run < 3; run++) {
    const before = process.cpuUsage();
    total += additions(300_000_000);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  // The sums are read, so the loop cannot be optimised away.
  if (!Number.isFinite(total)) throw new Error('the addition loop overflowed');
  return Math.round(best);
}

function additions(count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += i;
  return sum;
}

/** The first line's facts about the host: cores, Node, load and the addition loop. */
export function describeHost(): string {
  return `${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, a loop of 3·10⁸ additions ${additionLoopMs()} ms of CPU`;
}
