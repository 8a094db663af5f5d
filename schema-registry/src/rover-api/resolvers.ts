import { badInput, DomainError, forbidden, unauthenticated } from '@ficus/kit';
import { ApiKeyRow, CheckRun, Scope, SubgraphPublicationRow, SupergraphRow, Variant, VariantRow } from '../db/entities';
import { Caller, requireScope } from '../domain/api-keys';
import type { CompositionMessage } from '../compose';
import { checkSubgraph, CheckReport } from '../domain/check-subgraph';
import { formatGraphRef, GraphRef, parseGraphRef } from '../domain/graph-ref';
import { deleteSubgraph } from '../domain/delete-subgraph';
import { publishSubgraph } from '../domain/publish-subgraph';
import { currentSubgraphs, findVariant, latestSupergraph } from '../domain/variants';
import { publishDepsOf, RegistryContext } from '../graphql/context';
import { checkOverridesFrom, checkWorkflowOf, HistoricQueryParameters, schemaCompositionError } from './check-workflow';

export interface RoverContext extends RegistryContext {
  /** `http://host:port` as the client reached it. */
  origin: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compositionVersion: string = require('@apollo/composition/package.json').version;

/**
 * Listing a variant and its subgraphs' names and URLs is allowed with any scope: rover reads them
 * before every check and publish (a GraphOS key of any role can). SDLs need `read`.
 */
function requireAnyScope(caller: Caller, needed: Scope[] = ['read', 'check', 'publish']): ApiKeyRow {
  const key = caller.apiKey;
  if (!key) throw unauthenticated('the API key is not valid');
  if (!needed.some((scope) => key.scopes.includes(scope))) {
    throw forbidden(`the API key "${key.name}" needs one of the scopes ${needed.join(', ')}`);
  }
  return key;
}

function graphIdOf(id: string): string {
  return parseGraphRef(`${id}@current`).graph;
}

interface GraphParent {
  graph: string;
}

const subgraphView = (row: SubgraphPublicationRow) => ({
  name: row.name,
  url: row.routingUrl,
  updatedAt: row.publishedAt.toISOString(),
  sdl: row.sdl,
  revision: String(row.id),
});

const launchView = (supergraph: SupergraphRow) => ({
  build: { result: { __typename: 'BuildSuccess', coreSchema: { coreDocument: supergraph.sdl, coreHash: supergraph.id } } },
  buildInput: { __typename: 'CompositionBuildInput', version: compositionVersion },
});

/**
 * What rover may see of a variant: one with a composed supergraph. Checks, check settings, usage
 * reports and persisted queries can create a variant row before anything is published to it; rover
 * reads a variant with no subgraphs as a non-federated graph and refuses to publish to it (E007),
 * so such a variant is answered as absent, as one never used is.
 */
function composedVariant(variant: VariantRow | null): VariantRow | null {
  return variant?.latestSupergraphId ? variant : null;
}

function refusedDelete(subgraph: string, graphRef: string, errors: CompositionMessage[]): DomainError {
  const lines = errors.map((e) => `  ${e.code}: ${e.message}`);
  return badInput(
    `The '${subgraph}' subgraph was NOT deleted from '${graphRef}': the other subgraphs do not compose without it, ` +
      `so nothing changed (${errors.length} composition error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    { compositionErrors: errors.map(schemaCompositionError) },
  );
}

function refusedPublish(subgraph: string, graphRef: string, errors: CompositionMessage[]): DomainError {
  const lines = errors.map((e) => `  ${e.code}: ${e.message}`);
  return badInput(
    `The '${subgraph}' subgraph was NOT published to '${graphRef}': the variant does not compose with it, ` +
      `so nothing was recorded and the supergraph stays as it was (${errors.length} composition error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    { compositionErrors: errors.map(schemaCompositionError) },
  );
}

/** Thin: each maps Apollo's arguments onto the registry's domain functions and its results back onto Apollo's shapes. */
export const roverResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: RoverContext) => {
      // Reached without a key only by `config whoami` (see route.ts): null is how rover learns the key is bad.
      if (!ctx.caller.apiKey) return null;
      const key = requireAnyScope(ctx.caller, ['read', 'check', 'publish', 'report']);
      return { __typename: 'User', id: key.name, name: key.name, asActor: { actorId: key.id, type: 'USER' } };
    },
    graph: (_: unknown, args: { id: string }, ctx: RoverContext): GraphParent => {
      requireAnyScope(ctx.caller);
      return { graph: graphIdOf(args.id) };
    },
    async variant(_: unknown, args: { ref: string }, ctx: RoverContext) {
      requireAnyScope(ctx.caller);
      let ref: GraphRef;
      try {
        ref = parseGraphRef(args.ref);
      } catch (err) {
        if (err instanceof DomainError) return { __typename: 'InvalidRefFormat', message: err.message };
        throw err;
      }
      return composedVariant(await findVariant(ctx.em, ref));
    },
    frontendUrlRoot: (_: unknown, __: unknown, ctx: RoverContext) => ctx.origin,
  },
  Mutation: {
    graph: (_: unknown, args: { id: string }): GraphParent => ({ graph: graphIdOf(args.id) }),
  },
  Identity: { __resolveType: (identity: { __typename: string }) => identity.__typename },
  Graph: {
    id: (graph: GraphParent) => graph.graph,
    name: (graph: GraphParent) => graph.graph,
    title: (graph: GraphParent) => graph.graph,
    asActor: (graph: GraphParent) => ({ actorId: graph.graph, type: 'GRAPH' }),
    variants: (graph: GraphParent, _: unknown, ctx: RoverContext) =>
      ctx.em.find(Variant, { graph: graph.graph, latestSupergraphId: { $ne: null } }, { orderBy: { name: 'asc' } }),
    variant: async (graph: GraphParent, args: { name: string }, ctx: RoverContext) =>
      composedVariant(await findVariant(ctx.em, parseGraphRef(`${graph.graph}@${args.name}`))),
    async checkWorkflow(graph: GraphParent, args: { id: string }, ctx: RoverContext) {
      requireAnyScope(ctx.caller, ['check', 'read']);
      const run = await ctx.em.findOne(CheckRun, { id: args.id });
      const variant = run && (await ctx.em.findOne(Variant, { id: run.variantId }));
      if (!run || variant?.graph !== graph.graph) return null;
      return checkWorkflowOf(run.report as CheckReport);
    },
  },
  GraphVariant: {
    id: (variant: VariantRow) => formatGraphRef({ graph: variant.graph, variant: variant.name }),
    graphId: (variant: VariantRow) => variant.graph,
    async subgraphs(variant: VariantRow, _: unknown, ctx: RoverContext) {
      return (await currentSubgraphs(ctx.em, variant.id)).map(subgraphView);
    },
    async subgraph(variant: VariantRow, args: { name: string }, ctx: RoverContext) {
      const found = (await currentSubgraphs(ctx.em, variant.id)).find((s) => s.name === args.name);
      return found ? subgraphView(found) : null;
    },
    async latestLaunch(variant: VariantRow, _: unknown, ctx: RoverContext) {
      const supergraph = await latestSupergraph(ctx.em, variant);
      return supergraph && launchView(supergraph);
    },
    async latestApprovedLaunch(variant: VariantRow, _: unknown, ctx: RoverContext) {
      const supergraph = await latestSupergraph(ctx.em, variant);
      return supergraph && launchView(supergraph);
    },
    sourceVariant: () => null,
  },
  Subgraph: {
    activePartialSchema: (subgraph: { sdl: string }, _: unknown, ctx: RoverContext) => {
      requireScope(ctx.caller, 'read');
      return { sdl: subgraph.sdl };
    },
  },
  Launch: {
    build: (launch: { build: unknown }, _: unknown, ctx: RoverContext) => {
      requireScope(ctx.caller, 'read');
      return launch.build;
    },
  },
  GraphMutation: {
    variant: (graph: GraphParent, args: { name: string }) => parseGraphRef(`${graph.graph}@${args.name}`),
    async publishSubgraph(
      graph: GraphParent,
      args: { name: string; url?: string | null; graphVariant: string; activePartialSchema: { sdl?: string | null; hash?: string | null } },
      ctx: RoverContext,
    ) {
      const publisher = requireScope(ctx.caller, 'publish');
      const ref = parseGraphRef(`${graph.graph}@${args.graphVariant}`);
      const sdl = args.activePartialSchema.sdl;
      if (sdl == null) throw badInput('activePartialSchema.sdl is required: publishing by hash is not supported by this registry');
      let routingUrl = args.url;
      if (routingUrl == null) {
        const variant = await findVariant(ctx.em, ref);
        const current = variant && (await currentSubgraphs(ctx.em, variant.id)).find((s) => s.name === args.name);
        if (!current) throw badInput(`the subgraph "${args.name}" is not published to ${formatGraphRef(ref)} yet: give its routing URL`);
        routingUrl = current.routingUrl;
      }
      const outcome = await publishSubgraph(publishDepsOf(ctx), { ref, name: args.name, sdl, routingUrl }, publisher);
      if (outcome.status === 'refused') {
        // Unlike GraphOS, nothing is recorded when composition fails: the variant keeps serving what it
        // served. An error says so; as a result with `errors`, rover would print "NOT updated because no
        // changes were detected" and exit 0.
        throw refusedPublish(args.name, formatGraphRef(ref), outcome.errors);
      }
      ctx.logger.info({ graphRef: formatGraphRef(ref), subgraph: args.name, supergraphId: outcome.supergraph.id, status: outcome.status, via: 'rover' }, 'subgraph published');
      const published = outcome.status === 'published';
      return {
        launchUrl: null,
        launchCliCopy: null,
        compositionConfig: { schemaHash: outcome.supergraph.id },
        errors: [],
        updatedGateway: published,
        wasCreated: outcome.created,
        wasUpdated: published,
      };
    },
    async removeImplementingServiceAndTriggerComposition(graph: GraphParent, args: { graphVariant: string; name: string; dryRun?: boolean | null }, ctx: RoverContext) {
      const actor = requireScope(ctx.caller, 'publish');
      const ref = parseGraphRef(`${graph.graph}@${args.graphVariant}`);
      const dryRun = args.dryRun ?? false;
      const outcome = await deleteSubgraph(publishDepsOf(ctx), { ref, name: args.name, dryRun }, actor);
      if (outcome.status === 'refused') {
        if (dryRun) return { errors: outcome.errors.map(schemaCompositionError), updatedGateway: false };
        throw refusedDelete(args.name, formatGraphRef(ref), outcome.errors);
      }
      if (outcome.status === 'deleted') ctx.logger.info({ graphRef: formatGraphRef(ref), subgraph: args.name, supergraphId: outcome.supergraph?.id, via: 'rover' }, 'subgraph deleted');
      return { errors: [], updatedGateway: outcome.status === 'deleted' };
    },
  },
  GraphVariantMutation: {
    async submitSubgraphCheckAsync(
      ref: GraphRef,
      { input }: { input: { graphRef?: string | null; proposedSchema: string; subgraphName: string; config: HistoricQueryParameters; isProposal?: boolean | null; introspectionEndpoint?: string | null } },
      ctx: RoverContext,
    ) {
      let caller: ApiKeyRow;
      try {
        caller = requireScope(ctx.caller, 'check');
      } catch (err) {
        if (err instanceof DomainError && err.code === 'FORBIDDEN') return { __typename: 'PermissionError', message: err.message };
        throw err;
      }
      const graphRef = formatGraphRef(ref);
      if (input.graphRef != null && input.graphRef !== graphRef) throw badInput(`input.graphRef "${input.graphRef}" differs from ${graphRef}`);
      if (input.isProposal) throw badInput('proposal checks are not supported by this registry');
      if (input.introspectionEndpoint != null) throw badInput('introspectionEndpoint is not supported by this registry: send the SDL');
      const report = await checkSubgraph(
        ctx.em,
        { ref, name: input.subgraphName, sdl: input.proposedSchema, overrides: checkOverridesFrom(input.config ?? {}) },
        caller,
        ctx.deps,
      );
      ctx.logger.info({ graphRef, subgraph: input.subgraphName, checkId: report.id, passed: report.passed, via: 'rover' }, 'subgraph checked');
      return {
        __typename: 'CheckRequestSuccess',
        // No web UI: the check run is read back through the API (`variant(ref) { checkRun(id) }` at /graphql).
        targetURL: `${ctx.origin}/graphql#checkRun=${encodeURIComponent(graphRef)}/${report.id}`,
        workflowID: report.id,
      };
    },
  },
  GraphVariantLookup: { __resolveType: (value: object) => ('message' in value ? 'InvalidRefFormat' : 'GraphVariant') },
  CheckWorkflowTask: { __resolveType: (task: { __typename: string }) => task.__typename },
};
