import { z } from 'zod';
import { EventEnvelope, EventOrigin, newEventId } from './envelope';
import { activeTraceparent } from './trace-context';

export class EventContractError extends Error {
  constructor(
    readonly eventType: string,
    readonly version: number,
    readonly issues: string,
  ) {
    super(`event ${eventType} v${version} does not match its contract: ${issues}`);
    this.name = 'EventContractError';
  }
}

/** One versioned event type. Producers and consumers import the same contract. */
export interface EventContract<TSchema extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly version: number;
  /** The domain (and so the stream) that owns this event: the first segment of `type`. */
  readonly domain: string;
  readonly schema: TSchema;
  /** Validates `data`, throwing an `EventContractError` naming every problem. */
  parse(data: unknown): z.infer<TSchema>;
  /** Builds a validated envelope for publishing. */
  create(aggregateId: string, data: z.infer<TSchema>, origin?: EventOrigin): EventEnvelope<z.infer<TSchema>>;
}

export type EventData<C extends EventContract> = z.infer<C['schema']>;

export function defineEvent<TSchema extends z.ZodType>(definition: {
  type: string;
  version: number;
  schema: TSchema;
}): EventContract<TSchema> {
  const { type, version, schema } = definition;
  const parse = (data: unknown): z.infer<TSchema> => {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new EventContractError(type, version, z.prettifyError(result.error).replace(/\n/g, '; '));
    }
    return result.data;
  };
  return {
    type,
    version,
    domain: type.split('.')[0]!,
    schema,
    parse,
    create(aggregateId, data, origin = {}) {
      const id = newEventId();
      return {
        id,
        type,
        version,
        occurredAt: new Date().toISOString(),
        aggregateId,
        correlationId: origin.correlationId ?? id,
        causationId: origin.causationId ?? null,
        // The span in progress when tracing is on (the request or handled event that causes this one).
        traceparent: activeTraceparent() ?? origin.traceparent ?? null,
        data: parse(data),
      };
    },
  };
}

/** Finds the contract for an incoming envelope by type and version. */
export class EventCatalog {
  private readonly byKey = new Map<string, EventContract>();

  constructor(contracts: readonly EventContract[]) {
    for (const contract of contracts) this.byKey.set(`${contract.type}@${contract.version}`, contract);
  }

  find(type: string, version: number): EventContract | undefined {
    return this.byKey.get(`${type}@${version}`);
  }

  get types(): string[] {
    return [...new Set([...this.byKey.values()].map((c) => c.type))];
  }
}
