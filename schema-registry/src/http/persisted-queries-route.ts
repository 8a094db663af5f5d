import type { Express, Response } from 'express';
import type { EntityManager } from '@mikro-orm/core';
import type { Orm } from '@ficus/kit';
import type { GraphRef } from '../domain/graph-ref';
import { manifestFormat } from '../domain/persisted-queries/manifest';
import { findPersistedQueryList, listOperations, persistedQueriesWatchKey } from '../domain/persisted-queries/persisted-query-list';
import { findVariant } from '../domain/variants';
import type { RegistryDeps } from '../graphql/context';
import { longPollRoute } from './long-poll-route';

/** Where a variant's list stands: its id changes with every publish that adds operations. */
interface ListState {
  /** `<variant id>:<revision>`: a registry whose database was replaced never repeats an id a gateway holds. */
  id: string;
  revision: number;
  variantId: string | null;
}

async function listState(em: EntityManager, ref: GraphRef): Promise<ListState> {
  const variant = await findVariant(em, ref);
  const list = await findPersistedQueryList(em, variant?.id);
  const revision = list?.revision ?? 0;
  return { id: `${variant?.id ?? 'none'}:${revision}`, revision, variantId: variant?.id ?? null };
}

/**
 * `GET /api/persisted-queries/:graphRef[?after=<id>&wait=<seconds>]`: the variant's persisted
 * query list as an Apollo manifest, with `graphRef`, `id` and `revision` besides. A variant with
 * nothing published has an empty list (revision 0). With `after`, answers as soon as the list's id
 * differs from it, or 304 after `wait` seconds; without, `If-None-Match` with the ETag answers 304.
 */
export function persistedQueriesRoute(app: Express, orm: Orm, deps: RegistryDeps): void {
  longPollRoute(app, orm, deps, '/api/persisted-queries/:graphRef', {
    read: listState,
    differs: (state, after) => state.id !== after,
    answerNow: async (req, res, em, graphRef, state) => {
      if (req.headers['if-none-match'] === etagOf(state)) res.status(304).end();
      else await sendList(res, em, graphRef, state);
    },
    send: sendList,
    watchKey: persistedQueriesWatchKey,
  });
}

const etagOf = (state: ListState): string => `"${state.id}"`;

async function sendList(res: Response, em: EntityManager, graphRef: string, state: ListState): Promise<void> {
  const operations = state.variantId ? await listOperations(em, state.variantId) : [];
  res.setHeader('etag', etagOf(state));
  res.json({
    format: manifestFormat,
    version: 1,
    graphRef,
    id: state.id,
    revision: state.revision,
    operations: operations.map(({ id, name, type, body }) => ({ id, name, type, body })),
  });
}
