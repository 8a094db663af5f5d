import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { repoRoot } from '../src/repo';
import type { TestStack } from './stack-harness';

/** Each process's `/metrics` text, by service name (the six subgraphs, the registry, the gateway). */
export async function scrapeAll(t: TestStack): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(t.stack.urls).map(async ([service, url]) => [service, await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text()] as const),
  );
  return Object.fromEntries(entries);
}

/** The sum of the samples of `name` whose labels include each of `labels` (exact `label="value"` pairs). */
export function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && wanted.every((w) => line.includes(w)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Whether `name` is a sample of `text`, with a value that is a number (a gauge read at scrape time that failed is NaN). */
export function hasNumericSample(text: string, name: string): boolean {
  return text.split('\n').some((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && Number.isFinite(Number(line.slice(line.lastIndexOf(' ') + 1))));
}

/** The metric families a `/metrics` text declares (`# TYPE name kind`). */
export function familiesOf(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match) families.set(match[1]!, match[2]!);
  }
  return families;
}

/** Whether a series name (a histogram's `_bucket`, `_count`, `_sum` included) belongs to a declared family. */
export function isExported(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  const histogram = /^(.*)_(bucket|count|sum)$/.exec(name);
  return histogram !== null && ['histogram', 'summary'].includes(families.get(histogram[1]!) ?? '');
}

const promqlWords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers,
 * range selectors and grouping clauses are taken out, less function names (followed by a
 * bracket), keywords and numbers.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = bare.slice(match.index! + match[0].length);
    if (/^\s*\(/.test(rest) || promqlWords.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

const observabilityDir = () => path.join(repoRoot(), 'deploy/observability');

/** Every PromQL expression of the Grafana dashboard's panels. */
export function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(fs.readFileSync(path.join(observabilityDir(), 'grafana-dashboard.json'), 'utf8')) as {
    panels: { targets?: { expr?: string }[]; panels?: { targets?: { expr?: string }[] }[] }[];
  };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr).filter((expr): expr is string => typeof expr === 'string'));
}

/** Every alert rule's expression. */
export function alertExpressions(): string[] {
  const rules = YAML.parse(fs.readFileSync(path.join(observabilityDir(), 'prometheus-alerts.yaml'), 'utf8')) as {
    groups: { rules: { expr: string }[] }[];
  };
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}
