import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from '@ficus/kit';
import type { Composer } from '../composition/composition-pool';
import type { Caller } from '../domain/api-keys';
import type { CheckDeps } from '../domain/check-subgraph';
import type { KeyedLock } from '../domain/keyed-lock';
import type { PublishDeps } from '../domain/publish-subgraph';
import type { SupergraphWatch } from '../domain/supergraph-watch';
import type { RegistryMetrics } from '../registry-metrics';

/** What the registry's resolvers and routes share for the life of the service. */
export interface RegistryDeps {
  publishLock: KeyedLock;
  watch: SupergraphWatch;
  lockRows: boolean;
  longPollMaxSeconds: number;
  metrics: RegistryMetrics;
  composer: Composer;
}

export interface RegistryContext {
  em: EntityManager;
  caller: Caller;
  logger: Logger;
  requestId: string;
  deps: RegistryDeps;
  /** Aborted when the client leaves before its answer: compositions still waiting for a worker are dropped. */
  abandoned?: AbortSignal;
}

/** What publishing and deleting subgraphs need from a request's context (registry API and rover alike). */
export function publishDepsOf(ctx: RegistryContext): PublishDeps {
  const { deps } = ctx;
  return { em: ctx.em, publishLock: deps.publishLock, watch: deps.watch, lockRows: deps.lockRows, composer: deps.composer, metrics: deps.metrics, abandoned: ctx.abandoned };
}

/** What a check needs from a request's context. */
export function checkDepsOf(ctx: RegistryContext): CheckDeps {
  return { composer: ctx.deps.composer, metrics: ctx.deps.metrics, abandoned: ctx.abandoned };
}
