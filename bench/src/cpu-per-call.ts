/** How many calls one measurement makes at most, and for how long. */
export interface CallBounds {
  maxCalls: number;
  maxMs: number;
}

/** One measurement: this process's CPU (user + system) per call, and wall-clock time per call. */
export interface PerCall {
  calls: number;
  cpuUs: number;
  wallUs: number;
}

/**
 * This process's CPU per call of `call`, one after another; a call that returns a promise is
 * awaited, as a request handler awaits it. The clock is read every 64 calls, so reading it
 * costs next to nothing.
 */
export async function cpuPerCall(call: (i: number) => unknown, bounds: CallBounds): Promise<PerCall> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(bounds.maxMs) * 1_000_000n;
  let calls = 0;
  while (calls < bounds.maxCalls) {
    const returned = call(calls);
    if (returned instanceof Promise) await returned;
    calls += 1;
    if (calls % 64 === 0 && process.hrtime.bigint() > deadline) break;
  }
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { calls, cpuUs: (used.user + used.system) / calls, wallUs: wallUs / calls };
}

/** The median and the spread of a figure over rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}
