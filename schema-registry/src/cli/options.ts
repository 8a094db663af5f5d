import { UsageError } from './command';

export type Format = 'human' | 'json';

export function formatOption(value: string | undefined): Format {
  if (value === undefined || value === 'human' || value === 'plain') return 'human';
  if (value === 'json') return 'json';
  throw new UsageError(`--format must be human or json, not "${value}"`);
}

/** The one positional argument every registry command takes: `graph@variant`. */
export function graphRefArg(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give exactly one graph ref, e.g. shop@current');
  return positionals[0]!;
}

export function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

export function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`${flag} must be a number, not "${value}"`);
  return parsed;
}
