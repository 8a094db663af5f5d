// What a GraphQL text may cost to parse: graphql and nothing else, for callers that should not
// load the service kit (the registry's composition, the CLI).
export { nestingDepth } from './nesting-scan';
export * from './measure-operation';
export * from './parse-within-limits';
