import { z } from 'zod';
import type { EventContract } from './contract';

/** A JSON Schema (draft 2020-12) as zod writes it. */
export type JsonSchema = { [keyword: string]: unknown };

/** What consumers may rely on about one event version: the shape of its `data` on the wire. */
export interface EventContractDescription {
  type: string;
  version: number;
  schema: JsonSchema;
}

/**
 * The contracts as plain JSON, in a stable order, for the registry to store and compare.
 * The input side of each schema is described: it is what producers write into the stream.
 */
export function describeEventContracts(contracts: readonly EventContract[]): EventContractDescription[] {
  return contracts
    .map((contract) => ({
      type: contract.type,
      version: contract.version,
      schema: z.toJSONSchema(contract.schema, { io: 'input' }) as JsonSchema,
    }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.version - b.version);
}
