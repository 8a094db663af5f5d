import type { DatabaseKind } from './options';
import { RoundFigures, StepFigure, StepName, stepNames } from './round';

/** Every round of one build on one database. */
export interface BuildFigures {
  label: string;
  kind: DatabaseKind;
  rounds: RoundFigures[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** A step's figures over the rounds: medians, and the range of wall times when there are several rounds. */
function summary(build: BuildFigures, step: StepName) {
  const figures: StepFigure[] = build.rounds.map((r) => r[step]);
  const walls = figures.map((f) => f.wallMs);
  const health = figures.map((f) => f.healthMaxMs).filter((h): h is number => h !== undefined);
  return {
    wallMs: median(walls),
    range: figures.length > 1 ? ` (${seconds(Math.min(...walls))}–${seconds(Math.max(...walls))})` : '',
    cpuSeconds: median(figures.map((f) => f.cpuSeconds)),
    peakBytes: Math.max(...figures.map((f) => f.peakBytes)),
    healthMaxMs: health.length ? Math.max(...health) : undefined,
  };
}

const stepLabel = (step: StepName, subgraphs: number): string =>
  step === 'publish last' ? `publish ${subgraphs}th` : step === 'compose offline' ? 'compose offline (ficus CLI process)' : step;

/** The steps table of one database: each build's figures, and this build's over the baseline's when there is one. */
export function stepsTable(builds: BuildFigures[], subgraphs: number): string {
  const header = ['step', ...builds.flatMap((b) => [`${b.label}: wall s`, 'CPU s', 'peak RSS MB', '/health max ms'])];
  const withRatio = builds.length === 2;
  if (withRatio) header.push('wall ratio (this / baseline)', 'CPU ratio');
  const rows = stepNames.map((step) => {
    const cells = [stepLabel(step, subgraphs)];
    const sums = builds.map((b) => summary(b, step));
    for (const s of sums) cells.push(`${seconds(s.wallMs)}${s.range}`, s.cpuSeconds.toFixed(2), megabytes(s.peakBytes), s.healthMaxMs === undefined ? '' : s.healthMaxMs.toFixed(0));
    if (withRatio) {
      const [baseline, current] = sums as [ReturnType<typeof summary>, ReturnType<typeof summary>];
      cells.push(`${(current.wallMs / baseline.wallMs).toFixed(2)}×`, baseline.cpuSeconds > 0 ? `${(current.cpuSeconds / baseline.cpuSeconds).toFixed(2)}×` : '');
    }
    return cells;
  });
  return markdownTable(header, rows);
}

interface Target {
  what: string;
  limit: number;
  unit: 's' | 'MB' | 'ms';
  figure(build: BuildFigures): number;
}

const registrySteps = stepNames.filter((s) => s !== 'compose offline' && s !== 'publish all');

const targets: Target[] = [
  ...(['check additive', 'check removal', 'check retype'] as const).map((step) => ({ what: step, limit: 3, unit: 's' as const, figure: (b: BuildFigures) => summary(b, step).wallMs / 1000 })),
  { what: 'publish of the last subgraph', limit: 3, unit: 's', figure: (b) => summary(b, 'publish last').wallMs / 1000 },
  { what: 'usage ingest', limit: 10, unit: 's', figure: (b) => summary(b, 'ingest').wallMs / 1000 },
  { what: 'offline compose', limit: 10, unit: 's', figure: (b) => summary(b, 'compose offline').wallMs / 1000 },
  { what: 'registry peak RSS, any step', limit: 500, unit: 'MB', figure: (b) => Math.max(...registrySteps.map((s) => summary(b, s).peakBytes)) / 1024 / 1024 },
  { what: '/health during a check, slowest', limit: 100, unit: 'ms', figure: (b) => Math.max(...(['check additive', 'check removal', 'check retype'] as const).map((s) => summary(b, s).healthMaxMs ?? 0)) },
];

/** The targets against each build's figures (medians over rounds; peaks are maxima). */
export function targetsTable(builds: BuildFigures[]): string {
  const header = ['target', ...builds.map((b) => b.label), 'met by this build'];
  const rows = targets.map((t) => {
    const figures = builds.map((b) => t.figure(b));
    // Digits enough that a figure a hair over its limit does not print as the limit itself.
    const format = (n: number) => n.toFixed(t.unit === 's' ? 3 : t.unit === 'MB' ? 1 : 0) + ` ${t.unit}`;
    return [`${t.what} < ${t.limit} ${t.unit}`, ...figures.map(format), figures.at(-1)! < t.limit ? 'yes' : 'no'];
  });
  return markdownTable(header, rows);
}

/** What each check answered, per build: the same answers are expected from every build. */
export function outcomesTable(builds: BuildFigures[]): string {
  const steps = stepNames.filter((s) => s.startsWith('check') || s === 'compose offline');
  return markdownTable(['step', ...builds.map((b) => b.label)], steps.map((step) => [step, ...builds.map((b) => b.rounds[0]![step].outcome ?? '')]));
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
