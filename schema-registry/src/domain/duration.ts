import { badInput } from '@ficus/kit';

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** rover's `--validation-period` spelling: `7d`, `24h`, `90m`, `3600s` (or a bare number of seconds). */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * units[match[2] || 's']! : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw badInput(`"${text}" is not a duration: write e.g. 7d, 24h, 90m or 3600s`);
  }
  return seconds;
}

export function formatDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % units[unit]! === 0) return `${seconds / units[unit]!}${unit}`;
  }
  return `${seconds}s`;
}
