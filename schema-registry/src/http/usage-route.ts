import type { Express } from 'express';
import { jsonBody, Orm } from '@ficus/kit';
import { parseGraphRef } from '../domain/graph-ref';
import { recordUsage } from '../domain/usage-store';
import { findOrCreateVariant } from '../domain/variants';
import { keyFirst } from './caller';
import type { IngestGate } from './ingest-gate';
import { readUsageReport } from './usage-report';
import { sendDomainError, sendError } from './rest-errors';

/** `POST /api/usage`: a batch of operations a gateway served. Scope: report. */
export function usageRoute(app: Express, orm: Orm, bodyLimitBytes: number, gate: IngestGate): void {
  app.post('/api/usage', keyFirst(orm, 'report'), gate.middleware, jsonBody(bodyLimitBytes), async (req, res, next) => {
    try {
      const em = orm.em.fork();
      const { report, problems } = readUsageReport(req.body);
      if (!report) return sendError(res, 'BAD_REQUEST', `invalid usage report: ${problems.slice(0, 5).join('; ')}`);
      const variant = await findOrCreateVariant(em, parseGraphRef(report.graphRef));
      await recordUsage(em, variant.id, new Date(report.window.start), report.operations);
      res.status(202).json({ accepted: report.operations.length });
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  });
}
