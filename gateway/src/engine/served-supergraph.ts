import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@ficus/kit/service';
import { supergraphIdOf } from '../supergraph/registry-supergraph';
import type { Engine, LoadedSupergraph } from './engine';

/**
 * The supergraph the gateway serves now, loaded by the engine. A new one replaces it in one
 * step: requests already admitted finish on the one they started with. A supergraph the
 * engine cannot load is refused (thrown to the source, which keeps serving the last).
 */
export class ServedSupergraph {
  private loaded: LoadedSupergraph | null = null;
  private cleanup: (() => Promise<void>) | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly onLoaded: (loaded: LoadedSupergraph, replacesAnother: boolean) => void,
  ) {}

  get current(): LoadedSupergraph | null {
    return this.loaded;
  }

  /** Loads the fixed SDL, or the manager's first supergraph and then each update it hands over. */
  async follow(source: string | SupergraphManager): Promise<void> {
    if (typeof source === 'string') {
      this.load(source);
      return;
    }
    const { supergraphSdl, cleanup } = await source.initialize({
      update: (sdl) => this.load(sdl),
      healthCheck: async () => undefined,
      getDataSource: () => {
        throw new Error('data sources belong to the engine');
      },
    });
    this.cleanup = cleanup ?? null;
    this.load(supergraphSdl);
  }

  async stop(): Promise<void> {
    await this.cleanup?.();
  }

  /** Serves the SDL from now on (nothing changes if it is the one served); throws if the engine cannot load it. */
  load(sdl: string): void {
    const id = supergraphIdOf(sdl);
    if (this.loaded?.id === id) return;
    const started = performance.now();
    const loaded = this.engine.load({ id, sdl });
    const replacesAnother = this.loaded !== null;
    this.loaded = loaded;
    this.logger.info({ supergraphId: id, engine: this.engine.name, loadMs: Math.round(performance.now() - started) }, 'supergraph loaded');
    this.onLoaded(loaded, replacesAnother);
  }
}
