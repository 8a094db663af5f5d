import type { Express, Request, Response } from 'express';
import type { EntityManager } from '@mikro-orm/core';
import type { Orm } from '@ficus/kit';
import { requireScope } from '../domain/api-keys';
import { formatGraphRef, GraphRef, parseGraphRef } from '../domain/graph-ref';
import { manifestFormat } from '../domain/persisted-queries/manifest';
import { findPersistedQueryList, listOperations, persistedQueriesWatchKey } from '../domain/persisted-queries/persisted-query-list';
import { findVariant } from '../domain/variants';
import type { RegistryDeps } from '../graphql/context';
import { callerOf } from './caller';
import { sendDomainError, sendError } from './rest-errors';

// Long-polls re-read the database this often, to see publishes made through another registry instance.
const recheckMs = 2_000;
const defaultWaitSeconds = 30;

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
  app.get('/api/persisted-queries/:graphRef', async (req: Request, res: Response, next) => {
    try {
      const em = orm.em.fork();
      requireScope(await callerOf(req, em), 'read');
      const ref = parseGraphRef(String(req.params.graphRef));
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const waitSeconds = req.query.wait === undefined ? defaultWaitSeconds : Number(req.query.wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
        return sendError(res, 'BAD_USER_INPUT', 'wait must be a number of seconds, 0 or more');
      }
      const graphRef = formatGraphRef(ref);
      if (after === undefined) {
        const state = await listState(em.fork(), ref);
        if (req.headers['if-none-match'] === etagOf(state)) return res.status(304).end();
        return sendList(res, em.fork(), graphRef, state);
      }
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const deadline = Date.now() + Math.min(waitSeconds, deps.longPollMaxSeconds) * 1000;
      for (;;) {
        const state = await listState(em.fork(), ref);
        if (state.id !== after) return sendList(res, em.fork(), graphRef, state);
        const remaining = deadline - Date.now();
        if (remaining <= 0 || gone.signal.aborted || deps.watch.isClosed) return res.status(304).end();
        await deps.watch.wait(persistedQueriesWatchKey(graphRef), Math.min(remaining, recheckMs), gone.signal);
      }
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
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
