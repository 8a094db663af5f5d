const levelWidth = 5;

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
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${clock} ${service.padEnd(10)} ${String(level ?? '').padEnd(levelWidth)} ${String(msg ?? '')}${fields}`;
}
