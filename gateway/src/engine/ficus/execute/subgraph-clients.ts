import type { RequestSignature } from '@ficus/kit/service';
import type { SubgraphResilience } from '../../../execution/resilience/subgraph-resilience';
import { HttpTransport } from './http-transport';
import { InProcessSubgraphs, InProcessTransport } from './in-process-transport';
import { SubgraphClient, SubgraphFetchObserver } from './subgraph-client';
import type { SubgraphTransport } from './subgraph-transport';

export interface SubgraphClientsOptions {
  signer: RequestSignature | null;
  resilience: SubgraphResilience;
  timeoutMs: number;
  deduplicate: boolean;
  onDeduplicated?(subgraph: string): void;
  observeFetches?(subgraph: string): SubgraphFetchObserver;
  /** Subgraphs this process serves itself, by routing URL: called in process rather than over HTTP. */
  inProcess?: InProcessSubgraphs;
}

/**
 * One client (and transport: a connection pool, or the subgraph's handler in this process) per subgraph, kept across supergraph reloads while the
 * subgraph's routing URL stays the same; a changed URL gets a new client, and the old one
 * is closed once its requests in flight end.
 */
export class SubgraphClients {
  private readonly clients = new Map<string, SubgraphClient>();
  private readonly urls = new Map<string, string>();

  constructor(private readonly options: SubgraphClientsOptions) {}

  clientFor(subgraph: string, url: string): SubgraphClient {
    const known = this.clients.get(subgraph);
    if (known && this.urls.get(subgraph) === url) return known;
    void known?.close();
    const { resilience } = this.options;
    const client = new SubgraphClient({
      name: subgraph,
      url,
      transport: this.transportFor(subgraph, url),
      signer: this.options.signer,
      circuit: resilience.circuitFor(subgraph, url),
      retry: resilience.retries,
      deduplicate: this.options.deduplicate,
      events: {
        retried: () => resilience.notifyRetried(subgraph),
        shortCircuited: () => resilience.notifyShortCircuited(subgraph),
        deduplicated: () => this.options.onDeduplicated?.(subgraph),
        fetched: this.options.observeFetches?.(subgraph) ?? noObserver,
      },
    });
    this.clients.set(subgraph, client);
    this.urls.set(subgraph, url);
    return client;
  }

  /** In process when this process serves the routing URL; over HTTP otherwise (an extracted module, a remote service). */
  private transportFor(subgraph: string, url: string): SubgraphTransport {
    const handler = this.options.inProcess?.get(url);
    if (handler) return new InProcessTransport(subgraph, handler, this.options.timeoutMs);
    return new HttpTransport(subgraph, new URL(url).origin, this.options.timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
    this.clients.clear();
  }
}

const noObserver: SubgraphFetchObserver = () => undefined;
