import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/** The wire format of every domain event. `data` is validated against the event's contract. */
export const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().regex(/^[a-z]+\.[a-z-]+\.[a-z-]+$/, 'type must be <domain>.<aggregate>.<event>'),
  version: z.number().int().positive(),
  occurredAt: z.string().datetime({ offset: true }),
  aggregateId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  traceparent: z.string().nullable(),
  data: z.unknown(),
});

export type EventEnvelope<TData = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: TData };

/** Where an event came from: the request or the event that caused it. */
export interface EventOrigin {
  correlationId?: string;
  causationId?: string | null;
  traceparent?: string | null;
}

/** Event ids are UUIDv7: unique and sortable by creation time. */
export function newEventId(): string {
  return uuidv7();
}
