import { InputError } from './command';

/** How long the CLI waits for a whole answer by default: the registry's composition timeout (60 s) and a queue ahead of it. */
export const defaultClientTimeoutSeconds = 120;

/** FICUS_CLIENT_TIMEOUT, in seconds, as a deadline for each request the CLI sends. */
export function clientTimeoutMs(env: NodeJS.ProcessEnv): number {
  const text = env.FICUS_CLIENT_TIMEOUT;
  if (text === undefined || text === '') return defaultClientTimeoutSeconds * 1000;
  const seconds = Number(text);
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400)) {
    throw new InputError(`FICUS_CLIENT_TIMEOUT "${text}" is not a number of seconds between 0 and 86400`, 'CONFIG_INVALID');
  }
  return seconds * 1000;
}

export interface JsonAnswer {
  status: number;
  /** The parsed body; null when it is not JSON. */
  body: unknown;
}

/**
 * POSTs JSON and reads the whole answer before the deadline: a server that accepts the
 * connection and then says nothing, or trickles its answer, fails the command instead of holding
 * it (undici's own timeouts wait 300 s for headers and restart with every chunk of the body).
 * `who` names the server in messages, e.g. "the registry at http://…".
 */
export async function postJson(url: string, payload: unknown, headers: Record<string, string>, timeoutMs: number, who: string): Promise<JsonAnswer> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload), signal: deadline });
    const text = await response.text();
    return { status: response.status, body: parsedOrNull(text) };
  } catch (err) {
    if (deadline.aborted) throw new InputError(`${who} did not answer within ${timeoutMs / 1000} s (FICUS_CLIENT_TIMEOUT)`, 'REGISTRY_UNREACHABLE');
    throw new InputError(`cannot reach ${who}: ${causeOf(err)}`, 'REGISTRY_UNREACHABLE');
  }
}

function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
