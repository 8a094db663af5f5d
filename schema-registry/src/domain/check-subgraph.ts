import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import type { RegistryMetrics } from '../registry-metrics';
import type { CompositionMessage } from '../compose';
import type { Composer } from '../composition/composition-pool';
import type { CheckProgress, SpelledCoordinates } from '../composition/composition-work';
import { ApiKeyRow, CheckRun, CheckSettings } from '../db/entities';
import { recordAudit } from './audit-log';
import type { CheckedChange } from './evaluate-usage';
import { assertUsagePeriod } from './duration';
import { withPartialOverrideRule } from './partial-override-rule';
import { assertSubgraphName, formatGraphRef, GraphRef } from './graph-ref';
import type { SchemaChange } from './schema-change';
import { usageWindow, UsageWindow } from './usage-store';
import { checkSettingsOf, currentSubgraphs, findOrCreateVariant, latestSupergraph } from './variants';

export interface CheckDeps {
  /** Composes, builds API schemas, diffs and weighs usage off the request thread. */
  composer: Composer;
  metrics?: RegistryMetrics;
  /** Aborted when the client has left: a composition still waiting for a worker is dropped. */
  abandoned?: AbortSignal;
}

export interface CheckInput {
  ref: GraphRef;
  name: string;
  sdl: string;
  /** Overrides of the variant's check settings for this run. */
  overrides: Partial<CheckSettings>;
}

export interface CheckReport {
  id: string;
  graphRef: string;
  subgraph: string;
  passed: boolean;
  createdAt: string;
  createdBy: string;
  compositionErrors: CompositionMessage[];
  /** Whether the proposal composes to a supergraph other than the variant's latest (false when composition failed). */
  supergraphChanged?: boolean;
  changes: CheckedChange[];
  /**
   * What the usage part of the check looked at; null when composition failed. `checkedOperations`
   * counts the distinct operations (not excluded) that breaking changes were weighed against.
   */
  usage: (CheckSettings & { from: string; to: string; totalRequests: number; checkedOperations?: number }) | null;
}

// A subgraph checked before its first publish has no routing URL yet; composition needs one.
const unpublishedRoutingUrl = 'http://unpublished.invalid/graphql';

/**
 * Checks a proposed subgraph SDL against a variant: it must compose with the variant's other
 * subgraphs, and each change to the client-facing API schema is classified and, if breaking,
 * weighed against recorded usage. Every run is stored with its report.
 */
export async function checkSubgraph(em: EntityManager, input: CheckInput, caller: ApiKeyRow, deps: CheckDeps): Promise<CheckReport> {
  const { metrics } = deps;
  const startedAt = performance.now();
  try {
    const report = await check(em, input, caller, deps);
    metrics?.checked(report.passed ? 'passed' : 'failed', startedAt);
    await recordAudit(em, {
      action: 'subgraph.check',
      graphRef: report.graphRef,
      subject: input.name,
      outcome: report.passed ? 'passed' : 'failed',
      actor: caller,
      details: { checkId: report.id },
    });
    return report;
  } catch (err) {
    metrics?.checked('error', startedAt);
    throw err;
  }
}

async function check(em: EntityManager, input: CheckInput, caller: ApiKeyRow, { composer, metrics, abandoned }: CheckDeps): Promise<CheckReport> {
  assertSubgraphName(input.name);
  assertSettings(input.overrides);
  // The run is stored under its variant, so a check of a variant not yet published to creates it.
  const variant = await findOrCreateVariant(em, input.ref);
  const settings = { ...checkSettingsOf(variant), ...definedOnly(input.overrides) };
  const current = await currentSubgraphs(em, variant.id);
  const routingUrl = current.find((s) => s.name === input.name)?.routingUrl ?? unpublishedRoutingUrl;
  const proposed = [...current.filter((s) => s.name !== input.name), { name: input.name, sdl: input.sdl, routingUrl }];
  const before = await latestSupergraph(em, variant);
  const subgraphs = proposed.sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ name: s.name, sdl: s.sdl, routingUrl: s.routingUrl, origin: s.name }));
  // Compositions queue fairly per caller: one caller's burst does not hold up another's check.
  const lane = caller.id;
  const now = new Date();
  const from = new Date(now.getTime() - settings.validationPeriodSeconds * 1000);
  const readTouched = (touched: SpelledCoordinates) => usageWindow(em, variant.id, from, settings, { ...touched, accepts: () => true });
  const early = new EarlyUsageRead(readTouched);
  const compose = async () => {
    const { composed, changes } = await composer.run(lane, { kind: 'check', subgraphs, beforeSdl: before?.sdl ?? null }, early.onProgress, { abandoned });
    return { ...composed, changes };
  };
  let checked: Awaited<ReturnType<typeof compose>>;
  try {
    checked = metrics ? await metrics.composed(compose) : await compose();
  } catch (err) {
    await early.ended();
    throw err;
  }
  const ruled = withPartialOverrideRule(checked, proposed);
  const composed = ruled.ok ? { ...ruled, changes: checked.changes } : ruled;

  const base = { id: randomUUID(), graphRef: formatGraphRef(input.ref), subgraph: input.name, createdAt: now.toISOString(), createdBy: caller.name };
  let report: CheckReport;
  if (!composed.ok) {
    await early.ended();
    report = { ...base, passed: false, compositionErrors: composed.errors, supergraphChanged: false, changes: [], usage: null };
  } else {
    const changes = composed.changes;
    let evaluated: { changes: CheckedChange[]; totalRequests: number; checkedOperations: number } = { changes: [], totalRequests: 0, checkedOperations: 0 };
    // A variant with nothing composed yet has no clients to break.
    if (before) {
      // A proposal composed before is not merged again, so nothing was read early.
      const usage = (await early.usage) ?? (await usageTouched(changes, before.sdl, readTouched, composer, lane));
      evaluated = await composer.run(lane, { kind: 'evaluate', changes, usage, policy: settings, beforeSdl: before.sdl }, undefined, { continuing: true });
    }
    report = {
      ...base,
      passed: evaluated.changes.every((c) => !c.blocking),
      compositionErrors: [],
      supergraphChanged: before?.sdl !== composed.supergraphSdl,
      changes: evaluated.changes,
      usage: {
        ...settings,
        from: from.toISOString(),
        to: now.toISOString(),
        totalRequests: evaluated.totalRequests,
        checkedOperations: evaluated.checkedOperations,
      },
    };
  }
  await em.persistAndFlush(
    em.create(CheckRun, {
      id: report.id,
      variantId: variant.id,
      subgraphName: input.name,
      passed: report.passed,
      report,
      createdBy: caller.name,
      createdAt: now,
    }),
  );
  return report;
}

function definedOnly(overrides: Partial<CheckSettings>): Partial<CheckSettings> {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined && v !== null));
}

export function assertSettings(settings: Partial<CheckSettings>): void {
  const { queryCountThreshold: count, queryPercentageThreshold: percent, validationPeriodSeconds: period } = settings;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw badInput('the query count threshold must be a whole number of at least 1');
  if (percent !== undefined && !(percent >= 0 && percent <= 100)) throw badInput('the query percentage threshold must be between 0 and 100');
  if (period !== undefined) assertUsagePeriod(period);
  assertExclusions('excluded clients', settings.excludedClients);
  assertExclusions('excluded operation names', settings.excludedOperationNames);
}

/** Exclusions become terms of the usage queries (twice over for clients: name, and name@version). */
const exclusionLimits = { entries: 1_000, characters: 500 };

function assertExclusions(what: string, names: string[] | undefined): void {
  if (!names) return;
  if (names.length > exclusionLimits.entries) throw badInput(`at most ${exclusionLimits.entries} ${what}; ${names.length} were given`);
  if (names.some((name) => name.length > exclusionLimits.characters)) throw badInput(`each of the ${what} is at most ${exclusionLimits.characters} characters`);
}

/**
 * What a check without breaking changes reads: only the window's totals, so its report says how
 * much usage it was checked against (not 0 requests) without reading any operation.
 */
const nothingTouched: SpelledCoordinates = { exact: [], typePrefixes: [] };

/**
 * The usage of what a proposal breaks, read while the worker validates the merged proposal: the
 * worker tells the coordinates (`CheckProgress`) before validation, the read starts then. The
 * entity manager is the read's until it ends, whatever composition answers.
 */
class EarlyUsageRead {
  private read: Promise<UsageWindow> | undefined;

  constructor(private readonly readTouched: (touched: SpelledCoordinates) => Promise<UsageWindow>) {}

  readonly onProgress = ({ touched }: CheckProgress): void => {
    this.read = this.readTouched(touched ?? nothingTouched);
    // Awaited whatever composition answers; a failure is not unhandled meanwhile.
    this.read.catch(() => undefined);
  };

  /** The window's usage if it was read early, else null. */
  get usage(): Promise<UsageWindow | null> {
    return this.read ?? Promise.resolve(null);
  }

  async ended(): Promise<void> {
    await this.read?.then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * The window's usage of the operations the breaking changes touch. Which coordinates those are
 * depends on the API schema before the change, which a composition worker holds: it spells them
 * out, the database narrows the operations by them, and the worker's evaluation decides.
 */
async function usageTouched(
  changes: SchemaChange[],
  beforeSdl: string,
  readTouched: (touched: SpelledCoordinates) => Promise<UsageWindow>,
  composer: Composer,
  lane: string,
): Promise<UsageWindow> {
  if (!changes.some((c) => c.severity === 'BREAKING')) return readTouched(nothingTouched);
  return readTouched(await composer.run(lane, { kind: 'touched', changes, beforeSdl }, undefined, { continuing: true }));
}
