import { describeExit, SupervisionEvent } from './supervision-events';

const levelWidth = 5;

/** One terminal line: time, service, level, message, then the other fields as JSON. */
function renderLine(clock: string, service: string, level: string, message: string, fields: Record<string, unknown>): string {
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${clock} ${service.padEnd(10)} ${level.padEnd(levelWidth)} ${message}${rest}`;
}

/** Renders a service's JSON log line for a terminal: time, service, level, message, other fields. */
export function formatLogLine(service: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${service.padEnd(10)} ${line}`;
  }
  const { time, level, msg, service: _service, pid: _pid, hostname: _hostname, ...rest } = record;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  return renderLine(clock, service, String(level ?? ''), String(msg ?? ''), rest);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Renders what the launcher's supervision did in the same shape as a service's lines, under
 * the service's name. The JSON fields carry `launcher` (the event: `restart-scheduled`,
 * `restarted`, `gave-up`) so a program can tell these lines from the service's own and read them.
 */
export function formatSupervisionEvent(event: SupervisionEvent): string {
  const clock = event.at.toISOString().slice(11, 19);
  switch (event.kind) {
    case 'restart-scheduled':
      return renderLine(
        clock,
        event.service,
        'warn',
        `exited unexpectedly (${describeExit(event.exit)}, pid ${event.pid}); restart ${event.attempt} in ${seconds(event.delayMs)}`,
        {
          launcher: event.kind,
          service: event.service,
          pid: event.pid,
          exitCode: event.exit.code,
          signal: event.exit.signal,
          attempt: event.attempt,
          delayMs: event.delayMs,
          restartAt: new Date(event.at.getTime() + event.delayMs).toISOString(),
        },
      );
    case 'restarted':
      return renderLine(
        clock,
        event.service,
        'info',
        `ready again after restart ${event.attempt} (pid ${event.pid}, down ${seconds(event.downMs)})`,
        { launcher: event.kind, service: event.service, pid: event.pid, attempt: event.attempt, downMs: event.downMs },
      );
    case 'gave-up': {
      const why =
        event.reason === 'not-ready'
          ? `restarted, it was not ready within ${seconds(event.readyTimeoutMs ?? 0)}, so it was stopped`
          : `it crashed ${event.crashes} times in ${seconds(event.withinMs)} (last: ${describeExit(event.exit ?? { code: null, signal: null })})`;
      const next =
        event.consequence === 'degraded'
          ? `The rest of the stack keeps running without it, DEGRADED: ${event.impact} Fix the cause, then stop (Ctrl-C) and run npm start again.`
          : `${event.impact} The launcher stops the whole stack.`;
      return renderLine(
        clock,
        event.service,
        'error',
        `GAVE UP on ${event.service}: ${why}; it will not be restarted. Its log: ${event.logFile}. ${next}`,
        {
          launcher: event.kind,
          service: event.service,
          reason: event.reason,
          crashes: event.crashes,
          withinMs: event.withinMs,
          exitCode: event.exit?.code ?? null,
          signal: event.exit?.signal ?? null,
          log: event.logFile,
          consequence: event.consequence,
        },
      );
    }
  }
}
