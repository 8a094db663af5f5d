import fs from 'node:fs';
import type { RunningStack } from '@ficus/e2e';
import { Client } from 'pg';

/** Reads from a service's database after a run, so that measuring adds no load during it. */
export async function query(url: string, kind: 'postgres' | 'sqlite', sql: string): Promise<Record<string, any>[]> {
  if (kind === 'postgres') {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const Database = require('libsql');
  const db = new Database(url.slice('file:'.length), { readonly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** Percentiles of sorted samples: the sample at or below which p% of them fall. */
export function percentiles(sorted: number[]) {
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { min: sorted[0] ?? NaN, p50: pct(50), p90: pct(90), p99: pct(99), max: sorted.at(-1) ?? NaN };
}

/** CPU time (user + system) each service's process has used so far, from /proc on Linux. */
export function cpuSeconds(stack: RunningStack): Map<string, number> {
  const ticksPerSecond = 100;
  const used = new Map<string, number>();
  for (const service of stack.services) {
    try {
      // Fields after the command name, which is in parentheses: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${service.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used.set(service.name, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
    } catch {
      // Not Linux, or the process is gone: no figure for it.
    }
  }
  return used;
}
