import { z } from 'zod';
import { maxRequestsPerLine, OperationUsage } from '../domain/usage-store';

const limits = { operations: 10_000, signature: 100_000, text: 200, coordinates: 10_000 };
const coordinatePattern = /^[_A-Za-z]\w*\.[_A-Za-z]\w*$/;

const coordinate = z.string().regex(coordinatePattern, 'must be a schema coordinate, Type.field');
const clientText = z.string().max(limits.text);

/** A gateway's usage report; see docs/schema-registry.md. */
const usageReport = z.object({
  graphRef: z.string(),
  window: z
    .object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) })
    .refine((w) => Date.parse(w.start) <= Date.parse(w.end), 'start must not be after end'),
  operations: z
    .array(
      z.object({
        signature: z.string().min(1).max(limits.signature),
        operationName: z.string().max(limits.text).nullable().default(null),
        clientName: clientText.default(''),
        clientVersion: clientText.default(''),
        coordinates: z.array(coordinate).max(limits.coordinates),
        count: z.number().int().positive().max(maxRequestsPerLine),
      }),
    )
    .min(1)
    .max(limits.operations),
});

const envelope = usageReport.pick({ graphRef: true, window: true });

export interface UsageReport {
  graphRef: string;
  window: { start: string; end: string };
  operations: OperationUsage[];
}

export type ReadUsageReport = { report: UsageReport; problems?: never } | { report?: never; problems: string[] };

/**
 * Validates a parsed report body. zod copying each of thousands of operations cost more than
 * storing them, so the operations are checked by hand first; whatever that check does not
 * accept (it is never more lenient than the schema) goes through the schema, whose messages a
 * refused report gets.
 */
export function readUsageReport(body: unknown): ReadUsageReport {
  const operations = (body as { operations?: unknown } | null)?.operations;
  const accepted = Array.isArray(operations) ? acceptedOperations(operations) : null;
  if (accepted) {
    const head = envelope.safeParse(body);
    if (head.success) return { report: { ...head.data, operations: accepted } };
  }
  const parsed = usageReport.safeParse(body);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
  return { report: parsed.data };
}

/** The operations as the schema would give them (defaults filled in, other fields left out), or null if any might be refused. */
function acceptedOperations(operations: unknown[]): OperationUsage[] | null {
  if (operations.length < 1 || operations.length > limits.operations) return null;
  const accepted: OperationUsage[] = new Array(operations.length);
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i] as Record<string, unknown> | null;
    if (typeof op !== 'object' || op === null || Array.isArray(op)) return null;
    const { signature, operationName = null, clientName = '', clientVersion = '', coordinates, count } = op;
    if (typeof signature !== 'string' || signature.length < 1 || signature.length > limits.signature) return null;
    if (operationName !== null && !shortText(operationName)) return null;
    if (!shortText(clientName) || !shortText(clientVersion)) return null;
    if (!Array.isArray(coordinates) || coordinates.length > limits.coordinates) return null;
    for (const c of coordinates) if (typeof c !== 'string' || !coordinatePattern.test(c)) return null;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0 || count > maxRequestsPerLine) return null;
    accepted[i] = { signature, operationName, clientName, clientVersion, coordinates: coordinates as string[], count } as OperationUsage;
  }
  return accepted;
}

const shortText = (value: unknown): value is string => typeof value === 'string' && value.length <= limits.text;
