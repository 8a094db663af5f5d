import type { Express } from 'express';
import type { Orm } from '@ficus/kit';
import { requireScope } from '../domain/api-keys';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import { findVariant, latestSupergraph } from '../domain/variants';
import { callerOf } from './caller';
import { sendDomainError, sendError } from './rest-errors';

/**
 * `GET /api/cdn/:graphRef/supergraph`: the variant's latest supergraph as plain SDL with an `ETag`
 * (its id), answering a matching `If-None-Match` with 304. Laid out like Hive's CDN, so Hive
 * Gateway's supergraph fetcher, given `http://registry/api/cdn/shop@current` and a registry key
 * with the read scope as its CDN key (`X-Hive-CDN-Key`), polls it as it is.
 */
export function supergraphSdlRoute(app: Express, orm: Orm): void {
  app.get('/api/cdn/:graphRef/supergraph', async (req, res, next) => {
    try {
      const em = orm.em.fork();
      requireScope(await callerOf(req, em), 'read');
      const ref = parseGraphRef(String(req.params.graphRef));
      const supergraph = await latestSupergraph(em, await findVariant(em, ref));
      if (!supergraph) return sendError(res, 'NOT_FOUND', `${formatGraphRef(ref)} has no supergraph yet: publish a subgraph to it first`);
      const etag = `"${supergraph.id}"`;
      res.setHeader('etag', etag);
      res.setHeader('cache-control', 'no-cache');
      if (etagMatches(req.get('if-none-match'), etag)) return res.status(304).end();
      res.type('text/plain; charset=utf-8').send(supergraph.sdl);
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  });
}

/** `If-None-Match` may list several tags, weak ones (`W/"…"`) too, or `*`. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
