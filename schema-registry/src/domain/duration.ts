import { badInput } from '@ficus/kit';

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * The longest window of usage a check or the console reads: a year. Longer windows have no use,
 * and past about 68 years the period no longer fits GraphQL's Int (`validationPeriodSeconds`).
 */
export const maxUsagePeriodSeconds = 365 * 86_400;

/** rover's `--validation-period` spelling: `7d`, `24h`, `90m`, `3600s` (or a bare number of seconds), at most a year. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * units[match[2] || 's']! : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw badInput(`"${text}" is not a duration: write e.g. 7d, 24h, 90m or 3600s`);
  }
  assertUsagePeriod(seconds);
  return seconds;
}

export function assertUsagePeriod(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds <= 0) throw badInput('the validation period must be a positive number of seconds');
  if (seconds > maxUsagePeriodSeconds) throw badInput(`the validation period is at most ${formatDuration(maxUsagePeriodSeconds)} (a year)`);
}

export function formatDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % units[unit]! === 0) return `${seconds / units[unit]!}${unit}`;
  }
  return `${seconds}s`;
}
