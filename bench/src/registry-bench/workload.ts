import fs from 'node:fs';
import path from 'node:path';
import { GeneratedGraph, generateFederatedGraph, generateUsage, inBatches } from '@ficus/testkit';
import type { RegistryBenchOptions } from './options';

export const graphRef = 'bench@current';
/** Usage lines per report, as a gateway sends them (its USAGE_MAX_OPERATIONS default). */
export const batchSize = 500;

export type CheckName = 'additive' | 'removal' | 'retype';

/** What every build and round runs on: the generated graph, its usage as request bodies, files for the CLI. */
export interface Workload {
  graph: GeneratedGraph;
  operations: number;
  usageLines: number;
  /** Each batch's `operations` array as JSON, wrapped with a window at send time. */
  batches: string[];
  /** The proposed SDL file of each check. */
  checkFiles: Record<CheckName, string>;
  supergraphConfig: string;
}

export function prepareWorkload(options: RegistryBenchOptions, workDir: string): Workload {
  const graph = generateFederatedGraph({ subgraphs: options.subgraphs, typesPerSubgraph: options.typesPerSubgraph, seed: options.seed });
  const usage = generateUsage(graph, { operations: options.operations });
  const schemaDir = path.join(workDir, 'schemas');
  fs.mkdirSync(schemaDir, { recursive: true });
  const config = ['federation_version: =2.14.4', 'subgraphs:'];
  for (const subgraph of graph.subgraphs) {
    fs.writeFileSync(path.join(schemaDir, `${subgraph.name}.graphql`), subgraph.sdl);
    config.push(`  ${subgraph.name}:`, `    routing_url: ${subgraph.routingUrl}`, '    schema:', `      file: ./schemas/${subgraph.name}.graphql`);
  }
  const supergraphConfig = path.join(workDir, 'supergraph.yaml');
  fs.writeFileSync(supergraphConfig, `${config.join('\n')}\n`);
  const checkFiles = {} as Record<CheckName, string>;
  for (const name of ['additive', 'removal', 'retype'] as const) {
    checkFiles[name] = path.join(schemaDir, `check-${name}.graphql`);
    fs.writeFileSync(checkFiles[name], graph.changes[name].sdl);
  }
  return {
    graph,
    operations: usage.operations.length,
    usageLines: usage.lines.length,
    batches: inBatches(usage.lines, batchSize).map((batch) => JSON.stringify(batch)),
    checkFiles,
    supergraphConfig,
  };
}

/** A usage report body as the gateway's reporter sends it, its window ending now. */
export function usageBody(operationsJson: string, now: Date): string {
  const window = { start: new Date(now.getTime() - 60_000).toISOString(), end: now.toISOString() };
  return `{"graphRef":${JSON.stringify(graphRef)},"window":${JSON.stringify(window)},"operations":${operationsJson}}`;
}
