import { CheckRun, CheckSettings, EventContractPublicationRow, SubgraphPublicationRow, SupergraphRow, VariantRow } from '../db/entities';
import { badInput } from '@ficus/kit';
import { requireScope } from '../domain/api-keys';
import { checkSubgraph, CheckReport } from '../domain/check-subgraph';
import { configureChecks } from '../domain/configure-checks';
import { checkEventContracts } from '../domain/event-contracts/check-event-contracts';
import { latestEventContracts, parseEventContracts } from '../domain/event-contracts/event-contract-set';
import { publishEventContracts } from '../domain/event-contracts/publish-event-contracts';
import { formatDuration, parseDuration } from '../domain/duration';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import { findPersistedQueryList, listOperations } from '../domain/persisted-queries/persisted-query-list';
import { publishPersistedQueries } from '../domain/persisted-queries/publish-persisted-queries';
import { deleteSubgraph } from '../domain/delete-subgraph';
import { publishSubgraph } from '../domain/publish-subgraph';
import { checkSettingsOf, currentSubgraphs, findVariant, latestSupergraph } from '../domain/variants';
import { checkDepsOf, publishDepsOf, RegistryContext } from './context';

interface SettingsArgs {
  validationPeriod?: string | null;
  queryCountThreshold?: number | null;
  queryPercentageThreshold?: number | null;
  excludedClients?: string[] | null;
  excludedOperationNames?: string[] | null;
}

const settingsFrom = (input: SettingsArgs): Partial<CheckSettings> => ({
  validationPeriodSeconds: input.validationPeriod == null ? undefined : parseDuration(input.validationPeriod),
  queryCountThreshold: input.queryCountThreshold ?? undefined,
  queryPercentageThreshold: input.queryPercentageThreshold ?? undefined,
  excludedClients: input.excludedClients ?? undefined,
  excludedOperationNames: input.excludedOperationNames ?? undefined,
});

const settingsView = (settings: CheckSettings) => ({ ...settings, validationPeriod: formatDuration(settings.validationPeriodSeconds) });

const subgraphView = (row: SubgraphPublicationRow) => ({ ...row, publishedAt: row.publishedAt.toISOString() });
const supergraphView = (row: SupergraphRow) => ({ id: row.id, sdl: row.sdl, createdAt: row.createdAt.toISOString() });
export const checkRunView = (report: CheckReport) => ({
  ...report,
  compositionErrors: report.compositionErrors.map((e) => ({ ...e, locations: e.locations ?? [] })),
  usage: report.usage && settingsView(report.usage),
});

interface EventContractArg {
  type: string;
  version: number;
  schema: string;
}

/** The GraphQL input carries each schema as JSON text. */
const contractsFrom = (contracts: EventContractArg[]) =>
  parseEventContracts(
    contracts.map((c) => {
      try {
        return { ...c, schema: JSON.parse(c.schema) as unknown };
      } catch {
        throw badInput(`the schema of ${c.type}@${c.version} is not JSON`);
      }
    }),
  );

const eventContractSetView = (row: EventContractPublicationRow) => ({
  contracts: (row.contracts as { type: string; version: number; schema: object }[]).map((c) => ({ ...c, schema: JSON.stringify(c.schema) })),
  publishedAt: row.publishedAt.toISOString(),
  publishedBy: row.publishedBy,
});

/** Thin: each maps arguments, checks the key's scope and calls one domain function. */
export const resolvers = {
  Query: {
    async variant(_: unknown, args: { ref: string }, ctx: RegistryContext) {
      requireScope(ctx.caller, 'read');
      return findVariant(ctx.em, parseGraphRef(args.ref));
    },
  },
  Mutation: {
    async publishSubgraph(
      _: unknown,
      { input }: { input: { ref: string; name: string; sdl: string; routingUrl: string } },
      ctx: RegistryContext,
    ) {
      const publisher = requireScope(ctx.caller, 'publish');
      const outcome = await publishSubgraph(
        publishDepsOf(ctx),
        { ...input, ref: parseGraphRef(input.ref) },
        publisher,
      );
      if (outcome.status === 'refused') {
        return { published: false, unchanged: false, compositionErrors: outcome.errors, hints: outcome.hints };
      }
      ctx.logger.info({ graphRef: input.ref, subgraph: input.name, supergraphId: outcome.supergraph.id, status: outcome.status }, 'subgraph published');
      return {
        published: true,
        unchanged: outcome.status === 'unchanged',
        subgraph: subgraphView(outcome.subgraph),
        supergraph: supergraphView(outcome.supergraph),
        compositionErrors: [],
        hints: outcome.hints,
      };
    },
    async deleteSubgraph(_: unknown, { input }: { input: { ref: string; name: string; dryRun?: boolean | null } }, ctx: RegistryContext) {
      const actor = requireScope(ctx.caller, 'publish');
      const dryRun = input.dryRun ?? false;
      const outcome = await deleteSubgraph(publishDepsOf(ctx), { ref: parseGraphRef(input.ref), name: input.name, dryRun }, actor);
      if (outcome.status === 'refused') return { deleted: false, dryRun, compositionErrors: outcome.errors, hints: outcome.hints };
      if (outcome.status === 'deleted') ctx.logger.info({ graphRef: input.ref, subgraph: input.name, supergraphId: outcome.supergraph?.id }, 'subgraph deleted');
      return {
        deleted: outcome.status === 'deleted',
        dryRun,
        supergraph: outcome.supergraph ? supergraphView(outcome.supergraph) : null,
        compositionErrors: [],
        hints: outcome.hints,
      };
    },
    async checkSubgraph(_: unknown, { input }: { input: SettingsArgs & { ref: string; name: string; sdl: string } }, ctx: RegistryContext) {
      const caller = requireScope(ctx.caller, 'check');
      const report = await checkSubgraph(
        ctx.em,
        { ref: parseGraphRef(input.ref), name: input.name, sdl: input.sdl, overrides: settingsFrom(input) },
        caller,
        checkDepsOf(ctx),
      );
      ctx.logger.info({ graphRef: input.ref, subgraph: input.name, checkId: report.id, passed: report.passed }, 'subgraph checked');
      return checkRunView(report);
    },
    async checkEventContracts(_: unknown, { input }: { input: { ref: string; contracts: EventContractArg[] } }, ctx: RegistryContext) {
      requireScope(ctx.caller, 'check');
      const check = await checkEventContracts(ctx.em, parseGraphRef(input.ref), contractsFrom(input.contracts));
      ctx.logger.info({ graphRef: input.ref, passed: check.passed, changes: check.changes.length }, 'event contracts checked');
      return {
        passed: check.passed,
        baseline: check.baseline && eventContractSetView(check.baseline),
        changes: check.changes,
      };
    },
    async publishEventContracts(
      _: unknown,
      { input }: { input: { ref: string; contracts: EventContractArg[]; allowBreaking?: boolean | null } },
      ctx: RegistryContext,
    ) {
      const publisher = requireScope(ctx.caller, 'publish');
      const outcome = await publishEventContracts(
        { em: ctx.em, publishLock: ctx.deps.publishLock },
        { ref: parseGraphRef(input.ref), contracts: contractsFrom(input.contracts), allowBreaking: input.allowBreaking ?? false },
        publisher,
      );
      ctx.logger.info({ graphRef: input.ref, status: outcome.status, changes: outcome.changes.length }, 'event contracts published');
      return { published: outcome.status !== 'refused', unchanged: outcome.status === 'unchanged', changes: outcome.changes };
    },
    async publishPersistedQueries(_: unknown, { input }: { input: { ref: string; manifest: string } }, ctx: RegistryContext) {
      const publisher = requireScope(ctx.caller, 'publish');
      const outcome = await publishPersistedQueries(
        { em: ctx.em, publishLock: ctx.deps.publishLock, watch: ctx.deps.watch, lockRows: ctx.deps.lockRows },
        { ref: parseGraphRef(input.ref), manifest: input.manifest },
        publisher,
      );
      if (outcome.status === 'refused') {
        ctx.logger.info({ graphRef: input.ref, conflicts: outcome.conflicts.length }, 'persisted queries refused');
        return { published: false, unchanged: false, added: 0, identical: 0, total: 0, revision: 0, conflicts: outcome.conflicts };
      }
      ctx.logger.info({ graphRef: input.ref, added: outcome.added, revision: outcome.revision }, 'persisted queries published');
      const { added, identical, total, revision } = outcome;
      return { published: true, unchanged: outcome.status === 'unchanged', added, identical, total, revision, conflicts: [] };
    },
    async configureChecks(_: unknown, { input }: { input: SettingsArgs & { ref: string } }, ctx: RegistryContext) {
      const actor = requireScope(ctx.caller, 'publish');
      return settingsView(await configureChecks(ctx.em, parseGraphRef(input.ref), settingsFrom(input), actor));
    },
  },
  Variant: {
    async persistedQueries(variant: VariantRow, _: unknown, ctx: RegistryContext) {
      const list = await findPersistedQueryList(ctx.em, variant.id);
      return {
        revision: list?.revision ?? 0,
        operationCount: list?.operationCount ?? 0,
        updatedAt: list?.updatedAt.toISOString() ?? null,
        operations: async () =>
          (await listOperations(ctx.em, variant.id)).map((o) => ({ ...o, publishedAt: o.publishedAt.toISOString() })),
      };
    },
    async eventContracts(variant: VariantRow, _: unknown, ctx: RegistryContext) {
      const found = await latestEventContracts(ctx.em, variant.id);
      return found ? eventContractSetView(found) : null;
    },
    ref: (variant: VariantRow) => formatGraphRef({ graph: variant.graph, variant: variant.name }),
    name: (variant: VariantRow) => variant.name,
    async subgraphs(variant: VariantRow, _: unknown, ctx: RegistryContext) {
      return (await currentSubgraphs(ctx.em, variant.id)).map(subgraphView);
    },
    async subgraph(variant: VariantRow, args: { name: string }, ctx: RegistryContext) {
      const found = (await currentSubgraphs(ctx.em, variant.id)).find((s) => s.name === args.name);
      return found ? subgraphView(found) : null;
    },
    async supergraph(variant: VariantRow, _: unknown, ctx: RegistryContext) {
      const found = await latestSupergraph(ctx.em, variant);
      return found ? supergraphView(found) : null;
    },
    checkSettings: (variant: VariantRow) => settingsView(checkSettingsOf(variant)),
    async checkRun(variant: VariantRow, args: { id: string }, ctx: RegistryContext) {
      const run = await ctx.em.findOne(CheckRun, { id: args.id, variantId: variant.id });
      return run ? checkRunView(run.report as CheckReport) : null;
    },
  },
};
