import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Logger } from '@ficus/kit/service';
import type { RegistryConnection } from '../config';
import type { Refusal } from '../errors';
import { ApqStore } from './apq-store';
import type { TrustedDocumentsConfig } from './config';
import { readManifest } from './manifest';
import { OperationList } from './operation-list';
import { RegistryListSource, RegistryListSourceOptions } from './registry-list-source';
import { DocumentRequest, resolveDocument, TrustedDocumentOutcome } from './resolve-document';

export interface TrustedDocumentsOptions {
  config: TrustedDocumentsConfig;
  /** The registry to follow when `config.source` is `registry`: FICUS_REGISTRY_URL, FICUS_API_KEY, FICUS_GRAPH_REF. */
  registry: RegistryConnection | null;
  /** Where the registry's last list is cached (`persistedQueriesCacheFile(DATA_DIR, graphRef)`); null keeps none. */
  cacheFile: string | null;
  logger: Logger;
  /** Told how each request's document was found or refused: a metric counter, labelled by outcome. */
  onOutcome?: (outcome: TrustedDocumentOutcome) => void;
  /** Whether introspection is on: then refuse mode lets introspection-only documents through, as Router does. */
  allowIntrospection?: boolean;
  /** Long-poll and backoff timings, for tests. */
  registryTimings?: Pick<RegistryListSourceOptions, 'pollWaitSeconds' | 'retryDelayMs' | 'startRequestTimeoutMs'>;
}

// Unlisted operations are logged once per distinct text, this many remembered: a client repeating one is not a flood.
const loggedTextsRemembered = 10_000;
const loggedTextChars = 2_000;

/**
 * Trusted documents (persisted queries) and automatic persisted queries for every transport:
 * `resolve` turns a request into the text it runs, or a refusal, from the persisted query list
 * it holds. The list follows the registry's for the variant (a new publish is served within
 * about a second, no restart; the last list is kept while the registry is away), or is read
 * from a manifest file at start.
 */
export class TrustedDocuments {
  private list = OperationList.empty;
  private readonly apq: ApqStore | null;
  private readonly source: RegistryListSource | null;
  private readonly logged = new Set<string>();
  private readonly logger: Logger;

  constructor(private readonly options: TrustedDocumentsOptions) {
    this.logger = options.logger.child({ component: 'trusted-documents' });
    const { config } = options;
    this.apq = config.apq.enabled && config.mode !== 'refuse' ? new ApqStore(config.apq.maxBytes) : null;
    if (config.mode !== 'off' && config.source.kind === 'registry') {
      if (!options.registry) throw new Error('trusted documents from the registry need a registry connection');
      this.source = new RegistryListSource({
        registry: options.registry,
        cacheFile: options.cacheFile,
        logger: options.logger,
        onList: (list) => {
          this.list = list;
        },
        ...options.registryTimings,
      });
    } else {
      this.source = null;
    }
  }

  /** Loads the list: the manifest file (rejects if it does not read), or the registry's (never rejects; follows it until `stop`). */
  async start(): Promise<void> {
    const { config } = this.options;
    if (config.mode === 'off') return;
    if (config.source.kind === 'file') {
      const file = config.source.path;
      const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(`PERSISTED_QUERIES_MANIFEST: cannot read ${file}: ${err.code ?? err.message}`);
      });
      this.list = new OperationList(file, readManifest(text, `PERSISTED_QUERIES_MANIFEST ${file}`));
      this.logger.info({ file, operations: this.list.size, mode: config.mode }, 'loaded the persisted query list');
    }
    await this.source?.start();
  }

  async stop(): Promise<void> {
    await this.source?.stop();
  }

  /** The list served now: its revision (the registry's list id, or the file) and size. */
  get current(): { revision: string; operations: number } {
    return { revision: this.list.revision, operations: this.list.size };
  }

  /**
   * The text a request runs (the request's, or the listed or APQ operation its id names) and the
   * listed id it matched, or a refusal to answer with. The lead stage of every transport's pipeline.
   */
  resolve(request: DocumentRequest): { query: string; persistedId: string | null; refused?: undefined } | { refused: Refusal } {
    const { config, allowIntrospection = false } = this.options;
    const resolution = resolveDocument(
      { mode: config.mode, requireId: config.requireId, list: this.list, apq: this.apq, allowIntrospection },
      request,
    );
    this.options.onOutcome?.(resolution.outcome);
    if (resolution.refused) {
      if (config.mode === 'refuse' && typeof request.query === 'string') this.logUnlisted(request.query, true);
      return { refused: resolution.refused };
    }
    if (resolution.outcome === 'unlisted') this.logUnlisted(resolution.query, false);
    return { query: resolution.query, persistedId: resolution.persistedId };
  }

  private logUnlisted(text: string, refused: boolean): void {
    const sha256 = createHash('sha256').update(text).digest('hex');
    if (this.logged.has(sha256)) return;
    if (this.logged.size >= loggedTextsRemembered) this.logged.clear();
    this.logged.add(sha256);
    this.logger.warn(
      { sha256, operation: text.length > loggedTextChars ? `${text.slice(0, loggedTextChars)}…` : text, refused, listRevision: this.list.revision },
      refused ? 'refused an operation that is not in the persisted query list' : 'served an operation that is not in the persisted query list',
    );
  }
}
