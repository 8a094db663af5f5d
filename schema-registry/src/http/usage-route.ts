import type { Express } from 'express';
import { jsonBody, Orm } from '@ficus/kit';
import { z } from 'zod';
import { requireScope } from '../domain/api-keys';
import { parseGraphRef } from '../domain/graph-ref';
import { recordUsage } from '../domain/usage-store';
import { findOrCreateVariant } from '../domain/variants';
import { callerOf } from './caller';
import type { IngestGate } from './ingest-gate';
import { sendDomainError, sendError } from './rest-errors';

const coordinate = z.string().regex(/^[_A-Za-z]\w*\.[_A-Za-z]\w*$/, 'must be a schema coordinate, Type.field');
const clientText = z.string().max(200);

/** A gateway's usage report; see docs/schema-registry.md. */
const usageReport = z.object({
  graphRef: z.string(),
  window: z
    .object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) })
    .refine((w) => Date.parse(w.start) <= Date.parse(w.end), 'start must not be after end'),
  operations: z
    .array(
      z.object({
        signature: z.string().min(1).max(100_000),
        operationName: z.string().max(200).nullable().default(null),
        clientName: clientText.default(''),
        clientVersion: clientText.default(''),
        coordinates: z.array(coordinate).max(10_000),
        count: z.number().int().positive(),
      }),
    )
    .min(1)
    .max(10_000),
});

/** `POST /api/usage`: a batch of operations a gateway served. Scope: report. */
export function usageRoute(app: Express, orm: Orm, bodyLimitBytes: number, gate: IngestGate): void {
  app.post('/api/usage', gate.middleware, jsonBody(bodyLimitBytes), async (req, res, next) => {
    try {
      const em = orm.em.fork();
      requireScope(await callerOf(req, em), 'report');
      const parsed = usageReport.safeParse(req.body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
        return sendError(res, 'BAD_REQUEST', `invalid usage report: ${problems.slice(0, 5).join('; ')}`);
      }
      const variant = await findOrCreateVariant(em, parseGraphRef(parsed.data.graphRef));
      await recordUsage(em, variant.id, new Date(parsed.data.window.start), parsed.data.operations);
      res.status(202).json({ accepted: parsed.data.operations.length });
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  });
}
