import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What one wrk run measured. */
export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  meanLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Connect, read, write and timeout errors together. */
  socketErrors: number;
  /** Answers that were not 200, or carried GraphQL errors (counted by the Lua script). */
  badAnswers: number;
}

/** Whether wrk is on the PATH; if not, says how to install it. */
export function requireWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version prints its banner and exits 1: only a missing binary is a failure.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('wrk is not installed: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk` (macOS)');
    }
  }
}

/**
 * A Lua script that POSTs `body` as JSON and counts the answers that are not 200 or carry
 * `"errors"`: wrk itself only counts non-2xx statuses, and GraphQL errors come with 200.
 * With `meanDelayMs`, each connection waits before each request (wrk's `delay()`), which paces the load.
 */
function luaScript(body: string, meanDelayMs?: number): string {
  return `wrk.method = "POST"
wrk.body = ${luaString(body)}
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  bad = 0
  math.randomseed(id * 7919 + os.time())
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("bad_answers %d\\n", total))
end
${meanDelayMs === undefined ? '' : pacing(meanDelayMs)}`;
}

/**
 * Think time drawn uniformly from 0 to twice the mean: a fixed delay would keep every connection
 * in step (they all start together), sending bursts of one request per connection instead of a steady rate.
 */
function pacing(meanDelayMs: number): string {
  // wrk truncates the delay to whole milliseconds: + 0.5 rounds it instead, keeping the mean.
  return `function delay() return math.random() * ${(2 * meanDelayMs).toFixed(3)} + 0.5 end
`;
}

/** A Lua long string that cannot be closed by the text inside it. */
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}

/** What wrk sends where, for how long, over how many connections. */
export interface WrkLoad {
  url: string;
  body: string;
  seconds: number;
  connections: number;
  threads: number;
  workDir: string;
  /** Mean wait of each connection before each request; without it every connection sends as soon as its last answer came. */
  meanDelayMs?: number;
}

/** Runs wrk against `url` for `seconds`, POSTing `body`, and reads its report. */
export async function runWrk(options: WrkLoad): Promise<WrkResult> {
  const script = path.join(options.workDir, options.meanDelayMs === undefined ? 'post-query.lua' : 'post-query-paced.lua');
  fs.writeFileSync(script, luaScript(options.body, options.meanDelayMs));
  const args = ['--threads', String(options.threads), '--connections', String(options.connections), '--duration', `${options.seconds}s`, '--timeout', '10s', '--latency', '--script', script, options.url];
  const output = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { timeout: (options.seconds + 30) * 1000, maxBuffer: 1_000_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  return parseWrkReport(output);
}

/** Reads requests, duration, req/s, mean latency, p50, p99 and errors from wrk's `--latency` report. */
export function parseWrkReport(output: string): WrkResult {
  const match = (pattern: RegExp, what: string) => {
    const found = pattern.exec(output);
    if (!found) throw new Error(`wrk's report has no ${what}:\n${output}`);
    return found;
  };
  const total = match(/(\d+) requests in ([\d.]+)(us|ms|s|m),/, 'request count');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: toMs(Number(total[2]), total[3]!) / 1000,
    requestsPerSecond: Number(match(/Requests\/sec:\s+([\d.]+)/, 'Requests/sec')[1]),
    meanLatencyMs: percentileMs(match(/^\s+Latency\s+([\d.]+)(us|ms|s|m)\s/m, 'mean latency')),
    p50Ms: percentileMs(match(/^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$/m, 'p50')),
    p99Ms: percentileMs(match(/^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m, 'p99')),
    socketErrors: socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0,
    badAnswers: Number(match(/^bad_answers (\d+)$/m, 'bad answer count')[1]),
  };
}

function percentileMs(found: RegExpExecArray): number {
  return toMs(Number(found[1]), found[2]!);
}

function toMs(value: number, unit: string): number {
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  return value * factor[unit]!;
}
