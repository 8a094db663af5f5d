import { ServiceExit } from './child-service';

/** What losing a service for good means for the rest of the stack. */
export type GiveUpConsequence = 'degraded' | 'stack-stops';

/** What the launcher's supervision did, for its output and for programs reading it. */
export type SupervisionEvent =
  | {
      kind: 'restart-scheduled';
      service: string;
      at: Date;
      /** The process that exited. */
      pid: number | undefined;
      exit: ServiceExit;
      /** 1 for the first restart since the service last stayed up. */
      attempt: number;
      delayMs: number;
    }
  | { kind: 'restarted'; service: string; at: Date; pid: number | undefined; attempt: number; downMs: number }
  | {
      kind: 'gave-up';
      service: string;
      at: Date;
      reason: 'crash-limit' | 'not-ready';
      /** Crashes within the policy's window, and the time from the first of them to the last. */
      crashes: number;
      withinMs: number;
      /** With `not-ready`: how long the restarted process had to become ready. */
      readyTimeoutMs?: number;
      /** The last exit, when a crash ended it; a restart that never got ready has none. */
      exit: ServiceExit | undefined;
      logFile: string;
      consequence: GiveUpConsequence;
      /** What does not work without it, in a sentence. */
      impact: string;
    };

export function describeExit(exit: ServiceExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}
