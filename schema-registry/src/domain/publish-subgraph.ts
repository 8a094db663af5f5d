import { createHash } from 'node:crypto';
import { EntityManager, LockMode } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import type { CompositionMessage, CompositionOutcome } from '../compose';
import type { Composer } from '../composition/composition-pool';
import type { RegistryMetrics } from '../registry-metrics';
import { ApiKeyRow, SubgraphPublication, SubgraphPublicationRow, Supergraph, SupergraphRow, Variant } from '../db/entities';
import { recordAudit } from './audit-log';
import { assertSubgraphName, formatGraphRef, GraphRef } from './graph-ref';
import { KeyedLock } from './keyed-lock';
import { withPartialOverrideRule } from './partial-override-rule';
import { SupergraphWatch } from './supergraph-watch';
import { currentSubgraphs, findOrCreateVariant, findVariant } from './variants';

export interface PublishDeps {
  em: EntityManager;
  publishLock: KeyedLock;
  watch: SupergraphWatch;
  /** PostgreSQL: lock the variant row too, so registries running side by side also take turns. */
  lockRows: boolean;
  /** Composes off the request thread. */
  composer: Composer;
  metrics?: RegistryMetrics;
  /** Aborted when the client has left: a composition still waiting for a worker is dropped, and nothing is published. */
  abandoned?: AbortSignal;
}

export interface PublishInput {
  ref: GraphRef;
  name: string;
  sdl: string;
  routingUrl: string;
}

export type PublishOutcome =
  | {
      status: 'published' | 'unchanged';
      /** True when this is the first publication of a subgraph of that name to the variant. */
      created: boolean;
      subgraph: SubgraphPublicationRow;
      supergraph: SupergraphRow;
      hints: CompositionMessage[];
    }
  | { status: 'refused'; errors: CompositionMessage[]; hints: CompositionMessage[] };

/**
 * Publishes a subgraph SDL to a variant if the variant still composes with it; refuses it
 * otherwise. The supergraph's id is the sha256 of its SDL, so re-publishing what is already
 * there records nothing and keeps the id.
 */
export async function publishSubgraph(deps: PublishDeps, input: PublishInput, publisher: ApiKeyRow): Promise<PublishOutcome> {
  try {
    const outcome = await publish(deps, input, publisher);
    deps.metrics?.published(outcome.status);
    await recordAudit(deps.em, {
      action: 'subgraph.publish',
      graphRef: formatGraphRef(input.ref),
      subject: input.name,
      outcome: outcome.status,
      actor: publisher,
      details:
        outcome.status === 'refused'
          ? { compositionErrors: outcome.errors.map((e) => e.code) }
          : { supergraphId: outcome.supergraph.id, routingUrl: input.routingUrl },
    });
    return outcome;
  } catch (err) {
    deps.metrics?.published('error');
    throw err;
  }
}

async function publish(deps: PublishDeps, input: PublishInput, publisher: ApiKeyRow): Promise<PublishOutcome> {
  assertSubgraphName(input.name);
  assertRoutingUrl(input.routingUrl);
  const graphRef = formatGraphRef(input.ref);
  const outcome = await deps.publishLock.run(graphRef, async () => {
    // A first publish that does not compose must leave no variant behind: an empty variant reads as
    // "not federated" to rover, which then refuses every later publish to it. With no variant there
    // are no other subgraphs, so composing the proposal alone decides; a racing first publish of
    // another subgraph is ordered after this one.
    let alone: CompositionOutcome | undefined;
    if (!(await findVariant(deps.em, input.ref))) {
      alone = await composeWithMetrics(deps, publisher, [{ name: input.name, sdl: input.sdl, routingUrl: input.routingUrl }]);
      if (!alone.ok) return { status: 'refused', errors: alone.errors, hints: alone.hints } as const;
    }
    const variant = await findOrCreateVariant(deps.em, input.ref);
    return deps.em.transactional(async (em) => {
      if (deps.lockRows) await em.findOneOrFail(Variant, { id: variant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const current = await currentSubgraphs(em, variant.id);
      const previous = current.find((s) => s.name === input.name);
      const proposed = [
        ...current.filter((s) => s.name !== input.name),
        { name: input.name, sdl: input.sdl, routingUrl: input.routingUrl },
      ].sort((a, b) => a.name.localeCompare(b.name));

      // Still no other subgraph: the proposal alone was composed above.
      const composed = withPartialOverrideRule(alone && current.length === 0 ? alone : await composeWithMetrics(deps, publisher, proposed), proposed);
      if (!composed.ok) return { status: 'refused', errors: composed.errors, hints: composed.hints } as const;

      const supergraphId = createHash('sha256').update(composed.supergraphSdl).digest('hex');
      const supergraph =
        (await em.findOne(Supergraph, { variantId: variant.id, id: supergraphId })) ??
        em.create(Supergraph, { variantId: variant.id, id: supergraphId, sdl: composed.supergraphSdl, createdAt: new Date() });
      if (previous && previous.sdl === input.sdl && previous.routingUrl === input.routingUrl) {
        await em.flush();
        return { status: 'unchanged', created: false, subgraph: previous, supergraph, hints: composed.hints } as const;
      }
      const subgraph = em.create(SubgraphPublication, {
        variantId: variant.id,
        name: input.name,
        sdl: input.sdl,
        routingUrl: input.routingUrl,
        publishedByKeyId: publisher.id,
        publishedBy: publisher.name,
        publishedAt: new Date(),
        supergraphId,
      });
      await em.nativeUpdate(Variant, { id: variant.id }, { latestSupergraphId: supergraphId });
      await em.flush();
      return { status: 'published', created: previous === undefined, subgraph, supergraph, hints: composed.hints } as const;
    });
  });
  if (outcome.status === 'published') deps.watch.notify(graphRef);
  return outcome;
}

/** Composes a variant's subgraphs in the caller's lane, timed by the composition metrics. */
export function composeWithMetrics(deps: PublishDeps, caller: ApiKeyRow, subgraphs: { name: string; sdl: string; routingUrl: string }[]) {
  const compose = () => deps.composer.run(caller.id, { kind: 'compose', subgraphs: subgraphs.map((s) => ({ ...s, origin: s.name })) }, undefined, { abandoned: deps.abandoned });
  return deps.metrics ? deps.metrics.composed(compose) : compose();
}

/** Longer than any real routing URL, and what browsers and proxies commonly take. */
const maxRoutingUrlLength = 2_048;

function assertRoutingUrl(url: string): void {
  if (url.length > maxRoutingUrlLength) throw badInput(`the routing URL is ${url.length} characters long; at most ${maxRoutingUrlLength}`);
  // The URL parser drops line breaks and tabs, so "http://a\n/b" would parse and be stored as given.
  if (/[\u0000-\u001f\u007f]/.test(url)) throw badInput(`routing URL ${JSON.stringify(url)} holds a control character (a line break, a tab, an escape)`);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw badInput(`routing URL "${url}" is not an http(s) URL`);
}
