import type { Express, Response } from 'express';
import type { Orm } from '@ficus/kit';
import { findVariant, latestSupergraph } from '../domain/variants';
import type { RegistryDeps } from '../graphql/context';
import { longPollRoute } from './long-poll-route';
import { sendError } from './rest-errors';

/**
 * `GET /api/supergraph/:graphRef[?after=<id>&wait=<seconds>]`: the variant's latest supergraph.
 * With `after`, answers as soon as the latest differs from it, or 304 after `wait` seconds.
 */
export function supergraphRoute(app: Express, orm: Orm, deps: RegistryDeps): void {
  longPollRoute(app, orm, deps, '/api/supergraph/:graphRef', {
    read: async (em, ref) => latestSupergraph(em, await findVariant(em, ref)),
    differs: (found, after) => found !== null && found.id !== after,
    answerNow: (_req, res, _em, graphRef, found) =>
      found ? sendSupergraph(res, graphRef, found) : sendError(res, 'NOT_FOUND', `${graphRef} has no supergraph yet: publish a subgraph to it first`),
    send: (res, _em, graphRef, found) => sendSupergraph(res, graphRef, found!),
    watchKey: (graphRef) => graphRef,
  });
}

function sendSupergraph(res: Response, graphRef: string, found: { id: string; sdl: string; createdAt: Date }): void {
  res.setHeader('etag', `"${found.id}"`);
  res.json({ id: found.id, graphRef, sdl: found.sdl, createdAt: found.createdAt.toISOString() });
}
