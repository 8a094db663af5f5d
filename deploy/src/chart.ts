import path from 'node:path';
import { helm, HelmResult } from './helm';
import { Manifest, parseManifests } from './manifests';
import { repoRoot } from './repo';

/** The chart under deploy/helm. */
export const chartDir = path.join(repoRoot(), 'deploy', 'helm', 'ficus');
export const ciValues = path.join(chartDir, 'ci', 'test-values.yaml');

/** `helm template` of the chart as release `ficus`, with the CI values and `--set` pairs. */
export async function renderChart(set: Record<string, string> = {}, valuesFiles: string[] = [ciValues]): Promise<HelmResult & { manifests: Manifest[] }> {
  const args = ['template', 'ficus', chartDir, '--namespace', 'shop'];
  for (const file of valuesFiles) args.push('--values', file);
  for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`);
  const result = await helm(args);
  return { ...result, manifests: result.ok ? parseManifests(result.stdout) : [] };
}
