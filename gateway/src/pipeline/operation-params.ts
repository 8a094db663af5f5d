import { Refusal, refusal } from '../errors';

/** A GraphQL request as a client sends it, over any transport. `query` may be absent when a persisted id stands for it. */
export interface OperationParams {
  query?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * Checks the shape of a request's parameters as they arrived: a POST body, a GET query string
 * (whose `variables` and `extensions` are JSON text) or a graphql-ws subscribe payload.
 */
export function operationParamsOf(raw: unknown, { jsonEncoded = false } = {}): { params: OperationParams } | { refused: Refusal } {
  if (Array.isArray(raw)) return { refused: refusal('BATCHING_NOT_ENABLED', 'batched requests are not accepted: send one operation per request') };
  if (!isObject(raw)) return { refused: refusal('BAD_REQUEST', 'the request carries no GraphQL operation: send { "query": … }') };
  const problems: string[] = [];
  const field = <T>(name: string, check: (value: unknown) => value is T, what: string): T | null => {
    let value = raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (jsonEncoded && name !== 'query' && name !== 'operationName' && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        problems.push(`${name} is not valid JSON`);
        return null;
      }
    }
    if (check(value)) return value;
    problems.push(`${name} must be ${what}`);
    return null;
  };
  const query = field('query', isString, 'a string');
  const operationName = field('operationName', isString, 'a string');
  const variables = field('variables', isObject, 'an object');
  const extensions = field('extensions', isObject, 'an object');
  if (problems.length > 0) return { refused: refusal('BAD_REQUEST', problems.join('; ')) };
  if (query === null && !extensions?.persistedQuery) {
    return { refused: refusal('BAD_REQUEST', 'the request carries no GraphQL operation: send { "query": … }') };
  }
  return { params: { query: query ?? undefined, operationName, variables, extensions } };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
