import { createHash } from 'node:crypto';
import { CompositionResult, MergeSuccess, mergeSubgraphs, validateGraphComposition } from '@apollo/composition';
import {
  buildSubgraph,
  defaultPrintOptions,
  DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES,
  errorCauses,
  printSchema,
  Schema,
  shallowOrderPrintedDefinitions,
  Subgraph,
  Subgraphs,
  Supergraph,
  upgradeSubgraphsIfNecessary,
} from '@apollo/federation-internals';
import { buildFederatedQueryGraph, buildSupergraphAPIQueryGraph } from '@apollo/query-graphs';
import { nestingDepth } from '@ficus/kit/limits';
import { ASTNode, buildASTSchema, DocumentNode, getLocation, GraphQLError, GraphQLSchema, Location, parse, Source, visit } from 'graphql';
import { withLeanDefinitions } from './lean-schema';
import { readSupergraphConfig, SubgraphSource } from './supergraph-config';

/** A composition error or hint, with the stable code `@apollo/composition` gives it. */
export interface CompositionMessage {
  code: string;
  message: string;
  /**
   * Where in which subgraph's SDL; empty when composition cannot tell. Always a list: the API's
   * `CompositionMessage.locations` is non-null, and hints often come without nodes.
   */
  locations: SdlLocation[];
}

export interface SdlLocation {
  subgraph: string;
  line: number;
  column: number;
}

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: CompositionMessage[] }
  | { ok: false; errors: CompositionMessage[]; hints: CompositionMessage[] };

/**
 * Subgraphs built from their SDL by earlier compositions, by name, routing URL and SDL hash.
 * Building (parse, schema, federation metadata) is a fifth of a composition of a large graph, and a
 * check changes one subgraph: the others are taken from here. Only subgraphs of a composition that
 * succeeded are kept, so every entry has passed validation once (validating again is a no-op).
 *
 * A built subgraph takes about a hundred times its SDL in memory, so the cache keeps what recent
 * compositions used, not a count: an entry no composition took for `keptCompositions`
 * compositions (a replaced version, a proposal checked and dropped) is let go.
 */
export class SubgraphCache {
  private readonly built = new Map<string, { subgraph: Subgraph; usedIn: number }>();
  private compositions = 0;

  constructor(private readonly keptCompositions = 4) {}

  get size(): number {
    return this.built.size;
  }

  take(source: SubgraphSource): Subgraph | undefined {
    const entry = this.built.get(keyOf(source));
    if (entry) entry.usedIn = this.compositions;
    return entry?.subgraph;
  }

  keep(source: SubgraphSource, subgraph: Subgraph): void {
    this.built.set(keyOf(source), { subgraph, usedIn: this.compositions });
  }

  /** Ends a composition: what the last `keptCompositions` did not use is dropped. */
  composed(): void {
    this.compositions++;
    for (const [key, entry] of this.built) if (this.compositions - entry.usedIn > this.keptCompositions) this.built.delete(key);
  }
}

function keyOf(source: SubgraphSource): string {
  return createHash('sha256').update(source.name).update('\0').update(source.routingUrl).update('\0').update(source.sdl).digest('hex');
}

/** Composes subgraph SDLs into a supergraph, as `rover supergraph compose` does. */
export function composeSubgraphs(subgraphs: SubgraphSource[], cache?: SubgraphCache): CompositionOutcome {
  return composeWithSchema(subgraphs, cache).outcome;
}

/**
 * A composition and, when it succeeded, the supergraph as composition built it. Its API schema is
 * already computed (satisfiability validation needs it), so taking it from here costs a fifth of
 * building it again from the printed SDL.
 */
export interface ComposedSupergraph {
  outcome: CompositionOutcome;
  /** The API schema of the composed supergraph; null when composition failed. */
  apiSchema: (() => GraphQLSchema) | null;
}

export function composeWithSchema(subgraphs: SubgraphSource[], cache?: SubgraphCache): ComposedSupergraph {
  const merged = mergeSubgraphSources(subgraphs, cache);
  return 'failed' in merged ? merged.failed : merged.validate();
}

/**
 * A proposal merged into a supergraph that satisfiability validation has not yet seen. Its API
 * schema is known at this point, so a check can diff it (and read the usage its changes touch)
 * before the longest step of a composition has run; `validate` finishes the composition.
 */
export interface MergedSupergraph {
  /** The merged supergraph's API schema; the same as the composed supergraph's when `validate` succeeds. */
  apiSchema(): GraphQLSchema;
  /** Satisfiability validation and the supergraph's SDL: the rest of `composeWithSchema`. */
  validate(): ComposedSupergraph;
}

/** The first steps of `composeWithSchema`: build (or take from the cache), validate and merge the subgraphs. */
export function mergeSubgraphSources(subgraphs: SubgraphSource[], cache?: SubgraphCache): MergedSupergraph | { failed: ComposedSupergraph } {
  const resolved = subgraphs.map((subgraph) => {
    const cached = cache?.take(subgraph);
    return { subgraph, cached, result: cached ? null : parseSdl(subgraph) };
  });
  const syntaxErrors = resolved.flatMap(({ result }) => (result && 'error' in result ? [result.error] : []));
  if (syntaxErrors.length > 0) return { failed: failed({ ok: false, errors: syntaxErrors, hints: [] }) };

  // As `composeServices` does, but with cached subgraphs taken as they are.
  const toCompose = new Subgraphs();
  const fresh: { source: SubgraphSource; built: Subgraph }[] = [];
  let buildErrors: GraphQLError[] = [];
  for (const { subgraph, cached, result } of resolved) {
    if (cached) {
      toCompose.add(cached);
      continue;
    }
    try {
      const built = buildSubgraph(subgraph.name, subgraph.routingUrl, (result as { document: DocumentNode }).document);
      toCompose.add(built);
      fresh.push({ source: subgraph, built });
    } catch (err) {
      const causes = errorCauses(err as Error);
      if (!causes) throw err;
      buildErrors = buildErrors.concat(causes);
    }
  }
  if (buildErrors.length > 0) return { failed: failed({ ok: false, errors: buildErrors.map(fromGraphQLError), hints: [] }) };

  const composed = (result: CompositionResult): ComposedSupergraph => {
    cache?.composed();
    if (result.errors) return failed({ ok: false, errors: result.errors.map(fromGraphQLError), hints: [] });
    // Federation 1 subgraphs are upgraded to copies during composition; only federation 2 ones are validated in place.
    for (const { source, built } of fresh) if (built.isFed2Subgraph()) cache?.keep(source, built);
    const supergraph = result.schema;
    return {
      outcome: {
        ok: true,
        supergraphSdl: result.supergraphSdl,
        hints: result.hints.map((hint) => ({ code: hint.definition.code, message: hint.message, locations: locationsOf(hint.nodes ?? []) })),
      },
      apiSchema: () => graphQLApiSchema(supergraph),
    };
  };
  const merged = withinStack(() => mergeSteps(toCompose));
  if (merged.errors) return { failed: composed({ errors: merged.errors }) };
  return {
    apiSchema: () => graphQLApiSchema(merged.supergraph),
    validate: () => composed(withinStack(() => validateMerged(merged))),
  };
}

const graphQLApiSchema = (supergraph: Schema): GraphQLSchema => asGraphQLJs(supergraph.toAPISchema());

/**
 * An API schema as graphql-js's, lean (`withLeanDefinitions`). Its SDL is not validated again:
 * the schema was validated when it was built, and graphql-js's SDL validation was half of the
 * build (`toGraphQLJSSchema` validates it: 137 against 39-75 ms on the bench's 3,574 types).
 */
function asGraphQLJs(apiSchema: Schema): GraphQLSchema {
  return withLeanDefinitions(buildASTSchema(apiSchema.toAST(), { assumeValidSDL: true }));
}

const failed = (outcome: CompositionOutcome): ComposedSupergraph => ({ outcome, apiSchema: null });

const tooDeepToCompose =
  'the supergraph could not be composed: its types reference each other in a chain too long to follow ' +
  '(thousands of types, each reached only through the one before); composition ran out of stack';

/**
 * Composition walks types by recursion: a chain of thousands of types, each with a field of the
 * next, runs it out of stack. That is the schema's shape, not a fault of the registry.
 */
function withinStack<T>(step: () => T): T | { errors: GraphQLError[] } {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { errors: [new GraphQLError(tooDeepToCompose, { extensions: { code: 'COMPOSITION_FAILED' } })] };
  }
}

/**
 * @apollo/composition's `compose`, step by step as it takes them, but for one: satisfiability
 * validation takes the subgraphs back out of the supergraph, and `compose` validates each again
 * (a tenth of a 40-subgraph composition) although the supergraph they come from was validated
 * as merged. Errors and hints are the library's.
 */
function mergeSteps(subgraphs: Subgraphs): MergeSuccess | { errors: GraphQLError[] } {
  const upgraded = upgradeSubgraphsIfNecessary(subgraphs);
  if (upgraded.errors) return { errors: upgraded.errors };
  const toMerge = upgraded.subgraphs!;
  const invalid = toMerge.validate();
  if (invalid) return { errors: invalid };
  const merged = mergeSubgraphs(toMerge);
  if (merged.errors) return { errors: merged.errors };
  return merged;
}

function validateMerged(merged: MergeSuccess): CompositionResult {
  const supergraph = new Supergraph(merged.supergraph, null, false);
  const apiQueryGraph = buildSupergraphAPIQueryGraph(supergraph);
  const federatedQueryGraph = buildFederatedQueryGraph(supergraph, false);
  const satisfiable = validateGraphComposition(supergraph.schema, supergraph.subgraphNameToGraphEnumValue(), apiQueryGraph, federatedQueryGraph);
  if (satisfiable.errors) return { errors: satisfiable.errors };
  let supergraphSdl: string;
  try {
    supergraphSdl = printSchema(merged.supergraph, shallowOrderPrintedDefinitions(defaultPrintOptions));
  } catch (err) {
    return { errors: [err as GraphQLError] };
  }
  return { schema: merged.supergraph, supergraphSdl, hints: [...merged.hints, ...(satisfiable.hints ?? [])] };
}

/** Reads a rover `supergraph.yaml` and composes what it names. Throws `SupergraphConfigError` for a bad file. */
export async function composeFromConfigFile(configPath: string): Promise<CompositionOutcome> {
  const config = await readSupergraphConfig(configPath);
  return composeSubgraphs(config.subgraphs);
}

/**
 * How deeply a subgraph's SDL may nest `{`, `(` and `[`. Real schemas nest a few levels; the
 * gateway's planner refuses a supergraph nested about 50 deep ("Recursion limit exceeded"), so a
 * deeper subgraph would compose into a supergraph no gateway loads, and far deeper text would
 * overflow the recursive parser's stack.
 */
export const maxSdlNesting = 32;

function parseSdl(subgraph: SubgraphSource): { document: DocumentNode } | { error: CompositionMessage } {
  if (nestingDepth(subgraph.sdl, maxSdlNesting) > maxSdlNesting) {
    return {
      error: {
        code: 'INVALID_GRAPHQL',
        message: `[${subgraph.name}] the SDL nests \`{\`, \`(\` and \`[\` more than ${maxSdlNesting} levels deep (${subgraph.origin}); gateways do not load supergraphs nested that deep`,
        locations: [],
      },
    };
  }
  try {
    // The source is named after the subgraph, so composition errors can say where they are.
    return { document: withoutTokens(parse(new Source(subgraph.sdl, subgraph.name))) };
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    const at = err.locations?.[0];
    const where = at ? ` (${subgraph.origin}:${at.line}:${at.column})` : ` (${subgraph.origin})`;
    // The code composition itself uses for SDL that is not GraphQL.
    return {
      error: {
        code: 'INVALID_GRAPHQL',
        message: `[${subgraph.name}] ${err.message}${where}`,
        locations: at ? [{ subgraph: subgraph.name, line: at.line, column: at.column }] : [],
      },
    };
  }
}

/**
 * Lets go of the lexer's tokens. Each node's `loc` holds its first and last token, and tokens
 * link to their neighbours, so a built subgraph kept the token list of its whole SDL alive: a
 * quarter of what a cached subgraph takes. Error locations need only the source and offset.
 */
function withoutTokens(document: DocumentNode): DocumentNode {
  visit(document, {
    enter(node) {
      const loc = node.loc as { -readonly [K in keyof Location]: Location[K] | undefined } | undefined;
      if (loc) loc.startToken = loc.endToken = undefined;
    },
  });
  return document;
}

function fromGraphQLError(error: GraphQLError): CompositionMessage {
  const code = error.extensions?.code;
  return { code: typeof code === 'string' ? code : 'COMPOSITION_FAILED', message: error.message, locations: locationsOf(error.nodes ?? []) };
}

/** The nodes' places in the SDL; each source is named after its subgraph (see parseSdl). */
function locationsOf(nodes: readonly ASTNode[]): SdlLocation[] {
  return nodes.flatMap((node) => {
    if (!node.loc) return [];
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    return [{ subgraph: node.loc.source.name, line, column }];
  });
}

/**
 * Apollo Router's authorization features (`@authenticated`, `@requiresScopes`, `@policy`). They are
 * `for: SECURITY`, so `Supergraph.build` refuses a supergraph linking them unless told they are
 * supported: the gateway enforces them, so the registry composes, checks and serves such graphs.
 */
export const authorizationFeatures: readonly string[] = ['authenticated', 'requiresScopes', 'policy'].map(
  (spec) => `https://specs.apollo.dev/${spec}/v0.1`,
);

/** The features a supergraph the registry serves may link: Apollo's defaults and authorization's. */
export const supportedSupergraphFeatures: ReadonlySet<string> = new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...authorizationFeatures]);

/**
 * The schema clients see: the supergraph without federation's machinery and `@inaccessible` elements.
 * The SDL is parsed without locations: the lexer's tokens of a 1 MB supergraph took 18 MB while it
 * was built, and nothing built from it reports a place in the supergraph's text. Its definition
 * AST keeps only what the checks read (`withLeanDefinitions`).
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  const document = parse(supergraphSdl, { noLocation: true });
  return asGraphQLJs(Supergraph.build(document, { supportedFeatures: new Set(supportedSupergraphFeatures) }).apiSchema());
}
