import type * as Events from '@ficus/events';
import { readTextWithin } from '../read-text';
import { InputError } from './command';
import type { EventContractChangeView } from './operations';

/**
 * The contracts to check or publish, as the registry's GraphQL input takes them: from a file
 * written by `ficus events describe` (a team with its own events package), or by default this
 * repository's catalog in @ficus/events.
 */
export async function eventContractsInput(file: string | undefined): Promise<{ type: string; version: number; schema: string }[]> {
  const described = file === undefined ? catalogContracts() : await readDescribed(file);
  return described.map((c) => ({ type: c.type, version: c.version, schema: JSON.stringify(c.schema) }));
}

/** This repository's catalog, loaded only when asked for (it brings zod and every contract). */
export function catalogContracts(): { type: string; version: number; schema: unknown }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { allContracts, describeEventContracts } = require('@ficus/events') as typeof Events;
  return describeEventContracts(allContracts);
}

async function readDescribed(file: string): Promise<{ type: string; version: number; schema: unknown }[]> {
  const text = await readTextWithin(file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read contracts ${file}: ${err.code ?? err.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`contracts ${file} is not JSON (write it with ficus events describe)`, 'INPUT_UNREADABLE');
  }
  if (!Array.isArray(parsed)) throw new InputError(`contracts ${file} must be a JSON array of { type, version, schema }`);
  return parsed as { type: string; version: number; schema: unknown }[];
}

export function formatEventContractChanges(changes: EventContractChangeView[]): string {
  if (changes.length === 0) return 'No changes to the event contracts.';
  const lines = changes.map((c) => `  ${c.severity.padEnd(9)} ${c.code.padEnd(24)} ${c.coordinate}: ${c.message}`);
  return [`${changes.length} change(s) to the event contracts:`, ...lines].join('\n');
}
