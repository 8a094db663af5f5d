import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ficus/kit/service';
import type { RegistryConnection } from '../config';
import { readManifest } from './manifest';
import { OperationList } from './operation-list';

export interface RegistryListSourceOptions {
  registry: RegistryConnection;
  /** The last list loaded, kept for a start while the registry is down; null keeps none. */
  cacheFile: string | null;
  logger: Logger;
  /** Handed each new list that loads. */
  onList: (list: OperationList) => void;
  /** How long each long-poll asks the registry to hold the request (it caps this itself). */
  pollWaitSeconds?: number;
  /** Backoff after a failed request: doubles from the first delay up to the last. */
  retryDelayMs?: { first: number; max: number };
  /** How long the one request made at start may take: a hung registry must not hold up the start. */
  startRequestTimeoutMs?: number;
}

/** The most a list response may weigh: 20 000 operations of bodies, with room for JSON. */
const maxResponseBytes = 64 * 1024 * 1024;

class Stopped extends Error {}

/**
 * The variant's persisted query list from the schema registry, followed as the supergraph is:
 * long-polls `GET /api/persisted-queries/<ref>?after=<id>`, so a publish reaches the gateway
 * within the registry's wake-up (in-process: at once; another registry instance: 2 s).
 * A list that does not read is logged and the previous one kept; so is every list while the
 * registry is unreachable (retried with backoff). Each list that loads is written to the cache
 * file, which a gateway starting while the registry is down loads instead.
 */
export class RegistryListSource {
  private readonly logger: Logger;
  private readonly stopped = new AbortController();
  private readonly pollWaitSeconds: number;
  private readonly retryDelayMs: { first: number; max: number };
  private readonly startRequestTimeoutMs: number;
  /** The id of the newest list the registry answered, loaded or not: the next long-poll's `after`. */
  private lastSeenId: string | null = null;
  private following: Promise<void> | null = null;

  constructor(private readonly options: RegistryListSourceOptions) {
    this.logger = options.logger.child({ component: 'persisted-queries', graphRef: options.registry.graphRef });
    this.pollWaitSeconds = options.pollWaitSeconds ?? 30;
    this.retryDelayMs = options.retryDelayMs ?? { first: 250, max: 5_000 };
    this.startRequestTimeoutMs = options.startRequestTimeoutMs ?? 3_000;
  }

  /** Loads the registry's list (one short request), else the cached one, then follows the registry. Never rejects for the registry's sake. */
  async start(): Promise<void> {
    try {
      const text = await this.fetchNext(0, this.startRequestTimeoutMs);
      if (text !== null) await this.load(text, 'from the registry');
    } catch (err) {
      if (err instanceof Stopped) return;
      this.logger.warn({ registry: this.options.registry.url, reason: reasonOf(err) }, 'the registry is unreachable at start; trying the cached persisted query list');
      await this.loadCache();
    }
    this.following = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.following;
  }

  private async follow(): Promise<void> {
    let delay = this.retryDelayMs.first;
    let failures = 0;
    while (!this.stopped.signal.aborted) {
      try {
        const text = await this.fetchNext(this.pollWaitSeconds, (this.pollWaitSeconds + 15) * 1_000);
        if (failures > 0) this.logger.info({ failures }, 'the registry answers again');
        failures = 0;
        delay = this.retryDelayMs.first;
        if (text !== null) await this.load(text, 'from the registry');
      } catch (err) {
        if (err instanceof Stopped || this.stopped.signal.aborted) return;
        failures += 1;
        // The first failure, then every tenth: a registry down for an hour should not flood the log.
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn({ registry: this.options.registry.url, failures, retryInMs: delay, reason: reasonOf(err) }, 'cannot reach the registry for the persisted query list; keeping the current one');
        }
        await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, this.retryDelayMs.max);
      }
    }
  }

  /** Reads and hands on a list; one that does not read is logged and skipped. */
  private async load(text: string, origin: string): Promise<boolean> {
    let list: OperationList;
    try {
      const body = JSON.parse(text) as { id?: unknown };
      list = new OperationList(typeof body.id === 'string' ? body.id : 'unknown', readManifest(text, `the persisted query list ${origin}`));
    } catch (err) {
      this.logger.error({ reason: reasonOf(err) }, 'refused a persisted query list that does not read; keeping the current one');
      return false;
    }
    this.options.onList(list);
    this.logger.info({ revision: list.revision, operations: list.size }, `loaded the persisted query list ${origin}`);
    if (origin === 'from the registry') await this.writeCache(text);
    return true;
  }

  private async loadCache(): Promise<void> {
    const file = this.options.cacheFile;
    const text = file ? await fs.readFile(file, 'utf8').catch(() => null) : null;
    if (text === null || !(await this.load(text, `cached in ${file}`))) {
      this.logger.warn({}, 'no persisted query list yet: until the registry serves one, none is listed');
    }
  }

  /** One request: a list other than the last seen, or null (304: nothing new within `waitSeconds`). */
  private async fetchNext(waitSeconds: number, timeoutMs: number): Promise<string | null> {
    const { url, apiKey, graphRef } = this.options.registry;
    const query = this.lastSeenId === null ? '' : `?${new URLSearchParams({ after: this.lastSeenId, wait: String(waitSeconds) })}`;
    let response: Response;
    try {
      response = await fetch(`${url}/api/persisted-queries/${encodeURIComponent(graphRef)}${query}`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(timeoutMs)]),
      });
      if (response.status === 304) return null;
      const text = await boundedText(response, maxResponseBytes);
      if (response.status !== 200) throw new Error(`the registry answered ${response.status}: ${text.slice(0, 300)}`);
      const id = (JSON.parse(text) as { id?: unknown }).id;
      if (typeof id !== 'string') throw new Error('the registry answered a list without an id');
      this.lastSeenId = id;
      return text;
    } catch (err) {
      if (this.stopped.signal.aborted) throw new Stopped();
      throw err;
    }
  }

  /** Written to a temporary file and renamed over the cache, so a crash never leaves half a list. */
  private async writeCache(text: string): Promise<void> {
    const file = this.options.cacheFile;
    if (!file) return;
    // Unique per write: several stores of one process may share the file.
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(temporary, text);
      await fs.rename(temporary, file);
    } catch (err) {
      this.logger.warn({ file, reason: reasonOf(err) }, 'could not cache the persisted query list on disk');
    }
  }
}

/** The body as text, refused past `maxBytes` instead of held whole in memory. */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`the registry's answer is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
