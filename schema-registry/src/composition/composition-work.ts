import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { apiSchemaOf, composeWithSchema, CompositionOutcome, mergeSubgraphSources, SubgraphCache } from '../compose';
import { diffApiSchema } from '../domain/diff-api-schema';
import { CheckedChange, evaluateWindow, touchedByBreaking, UsagePolicy } from '../domain/evaluate-usage';
import type { SchemaChange } from '../domain/schema-change';
import type { UsageWindow } from '../domain/usage-store';
import { LruCache } from '../lru-cache';
import type { SubgraphSource } from '../supergraph-config';

/** The CPU-heavy parts of publishes and checks, as messages a composition worker takes. */
export type CompositionTask =
  | { kind: 'compose'; subgraphs: SubgraphSource[] }
  /** Compose the proposal and diff its API schema against the one of `beforeSdl` (none: no diff). */
  | { kind: 'check'; subgraphs: SubgraphSource[]; beforeSdl: string | null }
  /** The coordinates a check's breaking changes touch, on the API schema of `beforeSdl`: what its usage is read by. */
  | { kind: 'touched'; changes: SchemaChange[]; beforeSdl: string }
  /** Weigh a check's changes against the usage of the operations they touch, on the API schema of `beforeSdl`. */
  | { kind: 'evaluate'; changes: SchemaChange[]; usage: UsageWindow; policy: UsagePolicy; beforeSdl: string };

export interface CheckComposition {
  composed: CompositionOutcome;
  changes: SchemaChange[];
}

export type EvaluatedUsage = { changes: CheckedChange[]; totalRequests: number; checkedOperations: number };

/** Coordinates spelled out for the database to narrow usage by (see `TouchedCoordinates`). */
export type SpelledCoordinates = { exact: string[]; typePrefixes: string[] };

/**
 * What a check knows once the proposal is merged, before satisfiability validation (the longest
 * step) has run: its changes, and the coordinates its breaking ones touch (null: none breaks).
 * The registry reads their usage meanwhile; both are dropped if the proposal does not compose.
 */
export interface CheckProgress {
  changes: SchemaChange[];
  touched: SpelledCoordinates | null;
}

/** What a task tells before it ends: only checks tell anything. */
export type TaskProgress<T extends CompositionTask> = T extends { kind: 'check' } ? CheckProgress : never;

export type TaskResult<T extends CompositionTask> = T extends { kind: 'compose' }
  ? CompositionOutcome
  : T extends { kind: 'check' }
    ? CheckComposition
    : T extends { kind: 'touched' }
      ? SpelledCoordinates
      : EvaluatedUsage;

/**
 * Does composition work with what earlier work left: subgraphs already built, outcomes of
 * proposals already composed (a publish after its check, a re-run check), and API schemas of
 * supergraphs already seen (the variant's latest one is the "before" of every check).
 * Everything is keyed by content hashes, so a publish that changes a subgraph misses.
 */
export class CompositionWork {
  private readonly subgraphs = new SubgraphCache();
  private readonly outcomes = new LruCache<string, CompositionOutcome>(8);
  private readonly apiSchemas = new LruCache<string, GraphQLSchema>(2);
  /**
   * The API schema of the supergraph composed last, not yet taken out of it: a publish's
   * supergraph is the "before" of the checks that follow, and `settle` builds it once the
   * publish is answered. Until then it holds the composed supergraph, so there is only one.
   */
  private pending: { key: string; build: () => GraphQLSchema } | null = null;

  /** How many API schemas it holds: each is about 12 MB on the bench's 40-subgraph graph. */
  get apiSchemasHeld(): number {
    return this.apiSchemas.size;
  }

  async run<T extends CompositionTask>(task: T, progress?: (told: TaskProgress<T>) => void): Promise<TaskResult<T>> {
    switch (task.kind) {
      case 'compose':
        return this.compose(task.subgraphs) as TaskResult<T>;
      case 'check':
        return (await this.check(task.subgraphs, task.beforeSdl, progress as ((told: CheckProgress) => void) | undefined)) as TaskResult<T>;
      case 'touched':
        return this.spelled(task.changes, this.apiSchema(task.beforeSdl)) as TaskResult<T>;
      case 'evaluate':
        return evaluateWindow(task.changes, task.usage, task.policy, this.apiSchema(task.beforeSdl)) as TaskResult<T>;
    }
    throw new Error(`unknown composition task ${(task as { kind: string }).kind}`);
  }

  compose(subgraphs: SubgraphSource[], key = compositionKey(subgraphs)): CompositionOutcome {
    const known = this.outcomes.get(key);
    if (known) return known;
    const { outcome, apiSchema } = composeWithSchema(subgraphs, this.subgraphs);
    this.outcomes.set(key, outcome);
    if (outcome.ok && apiSchema) this.pending = { key: sdlKey(outcome.supergraphSdl), build: apiSchema };
    return outcome;
  }

  /** Work left for when no task waits: the last composed supergraph's API schema. */
  settle(): void {
    try {
      this.takePending();
    } catch {
      // Built again from the SDL when a task asks for it, where the error reaches that task.
    }
  }

  private takePending(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending && !this.apiSchemas.get(pending.key)) this.apiSchemas.set(pending.key, pending.build());
  }

  /**
   * Composes the proposal and diffs its API schema against the variant's. The diff is taken
   * between merging and satisfiability validation and told as progress, so the usage of what it
   * breaks is read while validation runs; an outcome composed before is diffed after.
   */
  private async check(subgraphs: SubgraphSource[], beforeSdl: string | null, progress?: (told: CheckProgress) => void): Promise<CheckComposition> {
    const key = compositionKey(subgraphs);
    if (beforeSdl === null || this.outcomes.get(key)) {
      const composed = this.compose(subgraphs, key);
      if (!composed.ok || beforeSdl === null) return { composed, changes: [] };
      return { composed, changes: await diffApiSchema(this.apiSchema(beforeSdl), this.apiSchema(composed.supergraphSdl)) };
    }
    // The API schema a previous check kept for its proposal (12 MB on the bench graph) would sit
    // beside this one's for nothing: only the variant's current one is read again.
    const beforeKey = sdlKey(beforeSdl);
    this.apiSchemas.keepOnly(beforeKey);
    const merged = mergeSubgraphSources(subgraphs, this.subgraphs);
    if ('failed' in merged) {
      this.outcomes.set(key, merged.failed.outcome);
      return { composed: merged.failed.outcome, changes: [] };
    }
    const before = this.apiSchema(beforeSdl, beforeKey);
    const proposal = merged.apiSchema();
    const changes = await diffApiSchema(before, proposal);
    progress?.({ changes, touched: changes.some((c) => c.severity === 'BREAKING') ? this.spelled(changes, before) : null });
    const { outcome } = merged.validate();
    this.outcomes.set(key, outcome);
    if (!outcome.ok) return { composed: outcome, changes: [] };
    this.apiSchemas.set(sdlKey(outcome.supergraphSdl), proposal);
    return { composed: outcome, changes };
  }

  private spelled(changes: SchemaChange[], before: GraphQLSchema): SpelledCoordinates {
    const { exact, typePrefixes } = touchedByBreaking(changes, before);
    return { exact, typePrefixes };
  }

  private apiSchema(supergraphSdl: string, key = sdlKey(supergraphSdl)): GraphQLSchema {
    if (this.pending?.key === key) this.takePending();
    const known = this.apiSchemas.get(key);
    if (known) return known;
    const schema = apiSchemaOf(supergraphSdl);
    this.apiSchemas.set(key, schema);
    return schema;
  }
}

function compositionKey(subgraphs: SubgraphSource[]): string {
  const hash = createHash('sha256');
  for (const s of subgraphs) hash.update(s.name).update('\0').update(s.routingUrl).update('\0').update(s.sdl).update('\0');
  return hash.digest('hex');
}

const sdlKey = (supergraphSdl: string): string => createHash('sha256').update(supergraphSdl).digest('hex');
