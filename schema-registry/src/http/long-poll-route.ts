import type { Express, Request, Response } from 'express';
import type { EntityManager } from '@mikro-orm/core';
import { abandonmentOf, type Orm } from '@ficus/kit';
import { requireScope } from '../domain/api-keys';
import { formatGraphRef, GraphRef, parseGraphRef } from '../domain/graph-ref';
import type { RegistryDeps } from '../graphql/context';
import { callerOf } from './caller';
import { sendDomainError, sendError } from './rest-errors';

const defaultWaitSeconds = 30;

/** What a variant serves at a long-polled route, and how it is answered. */
export interface LongPolled<T> {
  /** What the variant has now, read with a fresh entity manager. */
  read(em: EntityManager, ref: GraphRef): Promise<T>;
  /** Whether what it has now differs from the `after` id the caller holds. */
  differs(current: T, after: string): boolean;
  /** The answer to a GET without `after`. */
  answerNow(req: Request, res: Response, em: EntityManager, graphRef: string, current: T): void | Promise<void>;
  /** The answer once it differs from `after`. */
  send(res: Response, em: EntityManager, graphRef: string, current: T): void | Promise<void>;
  /** The key publishes to the variant wake its long-polls with. */
  watchKey(graphRef: string): string;
}

/**
 * `GET <path>[?after=<id>&wait=<seconds>]` with the read scope, `path` ending in `:graphRef`: with
 * `after`, answers as soon as what the variant has differs from it, or 304 after `wait` seconds.
 */
export function longPollRoute<T>(app: Express, orm: Orm, deps: RegistryDeps, path: string, polled: LongPolled<T>): void {
  app.get(path, async (req: Request, res: Response, next) => {
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
      if (after === undefined) return polled.answerNow(req, res, em.fork(), graphRef, await polled.read(em.fork(), ref));
      const gone = abandonmentOf(res);
      const deadline = Date.now() + Math.min(waitSeconds, deps.longPollMaxSeconds) * 1000;
      for (;;) {
        const current = await polled.read(em.fork(), ref);
        if (polled.differs(current, after)) return polled.send(res, em.fork(), graphRef, current);
        const remaining = deadline - Date.now();
        if (remaining <= 0 || gone.aborted || deps.watch.isClosed) return res.status(304).end();
        await deps.watch.wait(polled.watchKey(graphRef), Math.min(remaining, deps.watch.recheckMs), gone);
      }
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  });
}
