import type { Express, Request, Response } from 'express';
import type { Orm } from '@ficus/kit';
import { requireScope } from '../domain/api-keys';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import { findVariant, latestSupergraph } from '../domain/variants';
import type { RegistryDeps } from '../graphql/context';
import { callerOf } from './caller';
import { sendDomainError, sendError } from './rest-errors';

// Long-polls re-read the database this often, to see publishes made through another registry instance.
const recheckMs = 2_000;
const defaultWaitSeconds = 30;

/**
 * `GET /api/supergraph/:graphRef[?after=<id>&wait=<seconds>]`: the variant's latest supergraph.
 * With `after`, answers as soon as the latest differs from it, or 304 after `wait` seconds.
 */
export function supergraphRoute(app: Express, orm: Orm, deps: RegistryDeps): void {
  app.get('/api/supergraph/:graphRef', async (req: Request, res: Response, next) => {
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
      const latest = async () => latestSupergraph(em.fork(), await findVariant(em.fork(), ref));

      if (after === undefined) {
        const found = await latest();
        if (!found) return sendError(res, 'NOT_FOUND', `${graphRef} has no supergraph yet: publish a subgraph to it first`);
        return sendSupergraph(res, graphRef, found);
      }
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const deadline = Date.now() + Math.min(waitSeconds, deps.longPollMaxSeconds) * 1000;
      for (;;) {
        const found = await latest();
        if (found && found.id !== after) return sendSupergraph(res, graphRef, found);
        const remaining = deadline - Date.now();
        if (remaining <= 0 || gone.signal.aborted || deps.watch.isClosed) return res.status(304).end();
        await deps.watch.wait(graphRef, Math.min(remaining, recheckMs), gone.signal);
      }
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  });
}

function sendSupergraph(res: Response, graphRef: string, found: { id: string; sdl: string; createdAt: Date }): void {
  res.setHeader('etag', `"${found.id}"`);
  res.json({ id: found.id, graphRef, sdl: found.sdl, createdAt: found.createdAt.toISOString() });
}
