import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { badInput, notFound } from '@ficus/kit';
import type { CompositionMessage } from '../compose';
import { ApiKeyRow, SubgraphPublication, Supergraph, SupergraphRow, Variant } from '../db/entities';
import { recordAudit } from './audit-log';
import { assertSubgraphName, formatGraphRef, GraphRef } from './graph-ref';
import { withPartialOverrideRule } from './partial-override-rule';
import { composeWithMetrics, PublishDeps } from './publish-subgraph';
import { currentSubgraphs, findVariant } from './variants';

export interface DeleteInput {
  ref: GraphRef;
  name: string;
  /** Compose without the subgraph and say what would happen, changing nothing. */
  dryRun: boolean;
}

export type DeleteOutcome =
  | { status: 'deleted' | 'would-delete'; supergraph: SupergraphRow | null; hints: CompositionMessage[] }
  | { status: 'refused'; errors: CompositionMessage[]; hints: CompositionMessage[] };

/**
 * Takes a subgraph out of a variant if the variant still composes without it, as a publish is
 * taken in: the other subgraphs are composed, the supergraph they make becomes the variant's
 * latest (gateways following the variant load it) and the subgraph's publications are deleted;
 * the audit log keeps who deleted it and when. A variant keeps at least one subgraph.
 */
export async function deleteSubgraph(deps: PublishDeps, input: DeleteInput, actor: ApiKeyRow): Promise<DeleteOutcome> {
  assertSubgraphName(input.name);
  const graphRef = formatGraphRef(input.ref);
  const variant = await findVariant(deps.em, input.ref);
  if (!variant) throw notFound(`nothing is published to ${graphRef}`);
  const outcome = await deps.publishLock.run(graphRef, () =>
    deps.em.transactional(async (em) => {
      if (deps.lockRows) await em.findOneOrFail(Variant, { id: variant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const current = await currentSubgraphs(em, variant.id);
      if (!current.some((s) => s.name === input.name)) throw notFound(`no subgraph "${input.name}" is published to ${graphRef}`);
      const remaining = current.filter((s) => s.name !== input.name).map((s) => ({ name: s.name, sdl: s.sdl, routingUrl: s.routingUrl }));
      if (remaining.length === 0) throw badInput(`"${input.name}" is the only subgraph of ${graphRef}: a variant keeps at least one`);

      const composed = withPartialOverrideRule(await composeWithMetrics(deps, actor, remaining), remaining);
      if (!composed.ok) return { status: 'refused', errors: composed.errors, hints: composed.hints } as const;
      if (input.dryRun) return { status: 'would-delete', supergraph: null, hints: composed.hints } as const;

      const supergraphId = createHash('sha256').update(composed.supergraphSdl).digest('hex');
      const supergraph =
        (await em.findOne(Supergraph, { variantId: variant.id, id: supergraphId })) ??
        em.create(Supergraph, { variantId: variant.id, id: supergraphId, sdl: composed.supergraphSdl, createdAt: new Date() });
      await em.nativeDelete(SubgraphPublication, { variantId: variant.id, name: input.name });
      await em.nativeUpdate(Variant, { id: variant.id }, { latestSupergraphId: supergraphId });
      await em.flush();
      return { status: 'deleted', supergraph, hints: composed.hints } as const;
    }),
  );
  if (outcome.status === 'deleted') deps.watch.notify(graphRef);
  if (!input.dryRun) {
    await recordAudit(deps.em, {
      action: 'subgraph.delete',
      graphRef,
      subject: input.name,
      outcome: outcome.status,
      actor,
      details: outcome.status === 'refused' ? { compositionErrors: outcome.errors.map((e) => e.code) } : { supergraphId: outcome.supergraph?.id },
    });
  }
  return outcome;
}
