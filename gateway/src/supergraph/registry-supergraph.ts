import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SupergraphManager, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from '@ficus/kit/service';
import type { RegistryConnection } from '../config';

/** A supergraph SDL and its id: the sha256 (hex) of the SDL, as the registry names it. */
export interface IdentifiedSupergraph {
  id: string;
  sdl: string;
}

export const supergraphIdOf = (sdl: string): string => createHash('sha256').update(sdl).digest('hex');

export interface RegistrySupergraphOptions {
  registry: RegistryConnection;
  /** The last supergraph loaded, kept for a start while the registry is down. */
  cacheFile: string;
  logger: Logger;
  /**
   * Serves a supergraph found before start (the registry's latest, or the cached copy), or
   * throws when it cannot be served: a refused one is passed over for the next candidate.
   */
  serve(sdl: string): void;
  /** How long each long-poll asks the registry to hold the request (it caps this itself). */
  pollWaitSeconds?: number;
  /** Backoff after a failed request to the registry: doubles from the first delay up to the last. */
  retryDelayMs?: { first: number; max: number };
  /** How long the one request made before start may take: a hung registry must not hold up the start. */
  startRequestTimeoutMs?: number;
}

class Stopped extends Error {}

/**
 * The variant's supergraph from the schema registry, as an @apollo/gateway `SupergraphManager`:
 * it long-polls `GET /api/supergraph/<ref>?after=<id>` and hands each new SDL to the gateway's
 * `update`, which has the engine load it and swaps it in one step (requests already planned
 * finish on the old plan). `update` throws on an SDL the engine cannot load, leaving the old
 * one in place; that is logged and the id remembered, so the same bad SDL is not fetched again.
 *
 * While the registry is unreachable the gateway keeps what it serves and retries with backoff.
 * Each supergraph that loads is written to `cacheFile` (atomically), which a gateway starting
 * while the registry is down loads instead.
 */
export class RegistrySupergraph implements SupergraphManager {
  private readonly logger: Logger;
  private readonly stopped = new AbortController();
  private readonly pollWaitSeconds: number;
  private readonly retryDelayMs: { first: number; max: number };
  private readonly startRequestTimeoutMs: number;
  /** What the gateway starts with, if `prepare` found one. */
  private initial: IdentifiedSupergraph | null = null;
  /** The newest id the registry answered, loaded or refused: the next long-poll's `after`. */
  private lastSeenId = '';
  private following: Promise<void> | null = null;

  constructor(private readonly options: RegistrySupergraphOptions) {
    this.logger = options.logger.child({ component: 'registry-supergraph', graphRef: options.registry.graphRef });
    this.pollWaitSeconds = options.pollWaitSeconds ?? 30;
    this.retryDelayMs = options.retryDelayMs ?? { first: 250, max: 5_000 };
    this.startRequestTimeoutMs = options.startRequestTimeoutMs ?? 3_000;
  }

  /**
   * Finds what the gateway can start with at once: the registry's latest (one short request),
   * else the cached copy on disk. False if neither: the gateway then starts unready and
   * loads the first supergraph the registry serves.
   */
  async prepare(): Promise<boolean> {
    try {
      const latest = await this.fetchNext(0, this.startRequestTimeoutMs);
      if (latest && this.serves(latest, 'from the registry')) {
        this.initial = latest;
        this.logger.info({ supergraphId: latest.id }, 'starting with the latest supergraph from the registry');
        await this.writeCache(latest);
        return true;
      }
    } catch (err) {
      if (err instanceof Stopped) throw err;
      this.logger.warn({ registry: this.options.registry.url, reason: reasonOf(err) }, 'the registry is unreachable at start');
    }
    const cached = await this.readCache();
    if (cached && this.serves(cached, `cached in ${this.options.cacheFile}`)) {
      this.initial = cached;
      this.lastSeenId ||= cached.id;
      this.logger.warn({ supergraphId: cached.id, file: this.options.cacheFile }, 'starting with the cached supergraph; following the registry');
      return true;
    }
    this.logger.warn({}, 'no supergraph yet (registry unreachable or empty, no cache): not ready until the registry serves one');
    return false;
  }

  /** Called by ApolloGateway.load: resolves with the first supergraph, then follows the registry. */
  async initialize({ update }: { update: SupergraphSdlUpdateFunction }): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    let first = this.initial;
    while (!first) {
      const next = await this.nextFromRegistry();
      if (this.serves(next, 'from the registry')) {
        first = next;
        await this.writeCache(first);
      }
    }
    this.following = this.follow(update);
    return { supergraphSdl: first.sdl, cleanup: () => this.stop() };
  }

  /** Ends the long-poll (and a wait for the first supergraph: `initialize` then rejects). */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.following;
  }

  private async follow(update: SupergraphSdlUpdateFunction): Promise<void> {
    for (;;) {
      let next: IdentifiedSupergraph;
      try {
        next = await this.nextFromRegistry();
      } catch (err) {
        if (err instanceof Stopped) return;
        throw err;
      }
      try {
        update(next.sdl);
      } catch (err) {
        this.logger.error(
          { supergraphId: next.id, reason: reasonOf(err) },
          'refused a supergraph from the registry that does not load; still serving the previous one',
        );
        continue;
      }
      this.logger.info({ supergraphId: next.id }, 'loaded a new supergraph from the registry');
      await this.writeCache(next);
    }
  }

  /** Long-polls until the registry serves a supergraph other than the last seen, retrying with backoff. */
  private async nextFromRegistry(): Promise<IdentifiedSupergraph> {
    let delay = this.retryDelayMs.first;
    let failures = 0;
    for (;;) {
      if (this.stopped.signal.aborted) throw new Stopped();
      try {
        const next = await this.fetchNext(this.pollWaitSeconds, (this.pollWaitSeconds + 15) * 1_000);
        if (failures > 0) this.logger.info({ failures }, 'the registry answers again');
        failures = 0;
        delay = this.retryDelayMs.first;
        if (next) return next;
      } catch (err) {
        if (err instanceof Stopped || this.stopped.signal.aborted) throw new Stopped();
        failures += 1;
        // The first failure, then every tenth: a registry down for an hour should not flood the log.
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn({ registry: this.options.registry.url, failures, retryInMs: delay, reason: reasonOf(err) }, 'cannot reach the registry; retrying');
        }
        await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, this.retryDelayMs.max);
      }
    }
  }

  /** One request: a supergraph newer than the last seen, or null (304: nothing new within `waitSeconds`). */
  private async fetchNext(waitSeconds: number, timeoutMs: number): Promise<IdentifiedSupergraph | null> {
    const { url, apiKey, graphRef } = this.options.registry;
    const query = new URLSearchParams({ after: this.lastSeenId, wait: String(waitSeconds) });
    let response: Response;
    try {
      response = await fetch(`${url}/api/supergraph/${encodeURIComponent(graphRef)}?${query}`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      if (this.stopped.signal.aborted) throw new Stopped();
      throw err;
    }
    if (response.status === 304) return null;
    const body = (await response.json().catch(() => null)) as
      | { id?: string; sdl?: string; errors?: { message: string; extensions?: { code?: string } }[] }
      | null;
    if (response.status !== 200 || typeof body?.sdl !== 'string' || typeof body.id !== 'string') {
      const error = body?.errors?.[0];
      throw new Error(`the registry answered ${response.status}${error ? ` ${error.extensions?.code ?? ''}: ${error.message}` : ''}`);
    }
    this.lastSeenId = body.id;
    return { id: body.id, sdl: body.sdl };
  }

  /** Whether the gateway serves the SDL; logs why not. */
  private serves(supergraph: IdentifiedSupergraph, origin: string): boolean {
    try {
      this.options.serve(supergraph.sdl);
      return true;
    } catch (err) {
      this.logger.error({ supergraphId: supergraph.id, reason: reasonOf(err) }, `refused a supergraph ${origin} that does not load`);
      return false;
    }
  }

  private async readCache(): Promise<IdentifiedSupergraph | null> {
    const sdl = await fs.readFile(this.options.cacheFile, 'utf8').catch(() => null);
    return sdl ? { id: supergraphIdOf(sdl), sdl } : null;
  }

  /** Written to a temporary file and renamed over the cache, so a crash never leaves half a supergraph. */
  private async writeCache(supergraph: IdentifiedSupergraph): Promise<void> {
    const file = this.options.cacheFile;
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(temporary, supergraph.sdl);
      await fs.rename(temporary, file);
    } catch (err) {
      this.logger.warn({ file, reason: reasonOf(err) }, 'could not cache the supergraph on disk');
    }
  }
}

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
