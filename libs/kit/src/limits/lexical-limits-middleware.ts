import type { RequestHandler } from 'express';
import { errorBody } from '../errors';
import { nestingDepth } from './nesting-scan';
import { LexicalLimits, recursionViolation } from './parse-within-limits';

/**
 * What a service's `/graphql` parses at most. graphql-js parses by recursion and all at once, so
 * without limits one request nesting thousands of levels overflows the stack, and one of megabytes
 * of aliases holds the event loop for seconds. Generous for subgraphs, whose documents the
 * gateway plans from client operations it has already held to its own, smaller limits.
 */
export const defaultLexicalLimits: LexicalLimits = { maxTokens: 100_000, maxRecursion: 500 };

/**
 * Refuses with 400 and MAX_RECURSION_LIMIT a GraphQL request (POST body or GET `query`) whose
 * text nests deeper than the limit, before the recursive parser sees it. The token limit is the
 * parser's own (`parseOptions.maxTokens` of Apollo Server), its error recoded by `formatErrorFor`.
 */
export function lexicalLimitsMiddleware(limits: LexicalLimits): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown } | undefined;
    const query = typeof body?.query === 'string' ? body.query : typeof req.query?.query === 'string' ? req.query.query : null;
    if (query !== null && nestingDepth(query, limits.maxRecursion) > limits.maxRecursion) {
      const { code, message } = recursionViolation(limits);
      res.status(400).json(errorBody(code, message));
      return;
    }
    next();
  };
}
