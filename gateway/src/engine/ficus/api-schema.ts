import { buildASTSchema, DefinitionNode, GraphQLSchema, Kind, parse } from 'graphql';

/** Hive's planner derives the API schema from the supergraph: its `consumerSchema`. */
export interface ConsumerSchemaSource {
  readonly consumerSchema: string;
}

/** The federation types Hive's consumer schema keeps and Apollo's API schema drops: no client can use them. */
const joinTypes = new Set(['join__ContextArgument', 'join__FieldValue']);

/** Introspection's root fields, which graphql-js serves itself: Hive's consumer schema declares them on `Query`. */
const introspectionFields = new Set(['__schema', '__type']);

/**
 * Apollo Router's @defer, which the API schema declares so that Sandbox and Apollo Client send
 * it (they look for it by introspection) and validation accepts it.
 */
const deferDirective = parse('directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT', { noLocation: true })
  .definitions[0];

/**
 * The schema clients see, as Apollo's `Supergraph.apiSchema()` gives it (printed and sorted, the
 * two agree on the commerce graph and on every supergraph of the federation audit), read off the
 * consumer schema Hive's planner already holds rather than rebuilt with
 * @apollo/federation-internals, which would keep 14 MB more in the gateway.
 */
export function apiSchemaOf(planner: ConsumerSchemaSource): GraphQLSchema {
  const consumer = parse(planner.consumerSchema, { noLocation: true });
  const queryType = queryTypeName(consumer.definitions);
  const definitions: DefinitionNode[] = [];
  for (const definition of consumer.definitions) {
    if ('name' in definition && definition.name && joinTypes.has(definition.name.value)) continue;
    if (definition.kind === Kind.DIRECTIVE_DEFINITION && definition.name.value === 'defer') continue;
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === queryType) {
      definitions.push({ ...definition, fields: definition.fields?.filter((field) => !introspectionFields.has(field.name.value)) });
      continue;
    }
    definitions.push(definition);
  }
  definitions.push(deferDirective);
  return buildASTSchema({ kind: Kind.DOCUMENT, definitions }, { assumeValidSDL: true });
}

function queryTypeName(definitions: readonly DefinitionNode[]): string {
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    const query = definition.operationTypes.find((operationType) => operationType.operation === 'query');
    if (query) return query.type.name.value;
  }
  return 'Query';
}
