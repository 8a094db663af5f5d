import express, { Express } from 'express';
import type { Orm } from '@ficus/kit';
import { readApolloUsageReport } from '../domain/apollo-usage-report';
import { parseGraphRef } from '../domain/graph-ref';
import { recordUsage } from '../domain/usage-store';
import { findOrCreateVariant } from '../domain/variants';
import { keyFirst } from './caller';
import type { IngestGate } from './ingest-gate';
import { sendDomainError } from './rest-errors';

/**
 * `POST /api/ingress/traces`: usage reports as Apollo Server's `ApolloServerPluginUsageReporting`
 * sends them (gzipped protobuf `Report`, key in `X-Api-Key`) when its `endpointUrl` is the
 * registry. They feed the same usage store as `POST /api/usage`. Scope: report.
 */
export function apolloUsageRoute(app: Express, orm: Orm, bodyLimitBytes: number, gate: IngestGate): void {
  // body-parser gunzips (Content-Encoding: gzip) and holds the unzipped size to the limit too.
  const readBody = express.raw({ type: () => true, limit: bodyLimitBytes });
  app.post(
    '/api/ingress/traces',
    keyFirst(orm, 'report'),
    gate.middleware,
    readBody,
    async (req, res, next) => {
      try {
        const em = orm.em.fork();
        const usage = readApolloUsageReport(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
        const variant = await findOrCreateVariant(em, parseGraphRef(usage.graphRef));
        if (usage.operations.length > 0) await recordUsage(em, variant.id, usage.at, usage.operations);
        req.log?.debug({ graphRef: usage.graphRef, operations: usage.operations.length }, 'apollo usage report recorded');
        // The registry keeps no traces: this tells Apollo Server to send every request as stats.
        res.status(200).json({ tracesIgnored: true });
      } catch (err) {
        if (!sendDomainError(res, err)) next(err);
      }
    },
  );
}
