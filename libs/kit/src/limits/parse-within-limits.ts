import { DocumentNode, GraphQLError, parse } from 'graphql';
import { nestingDepth } from './nesting-scan';

export interface LexicalLimits {
  /** Most lexical tokens a document may have. */
  maxTokens: number;
  /** Deepest nesting of `{`, `(` and `[` a document may have. */
  maxRecursion: number;
  /** The settings the limits come from, named in refusals (the gateway's PARSER_MAX_TOKENS, …). */
  settings?: { maxTokens: string; maxRecursion: string };
}

/**
 * Why a text did not become a document. Apollo Router answers all three with
 * GRAPHQL_PARSE_FAILED; ours name the limit, so a client or a dashboard tells "too big" from
 * "broken", and keep Router's wording in the message.
 */
export interface ParseViolation {
  code: 'MAX_TOKENS_LIMIT' | 'MAX_RECURSION_LIMIT' | 'GRAPHQL_PARSE_FAILED';
  message: string;
  /** Where a syntax error is, when there is one. */
  locations?: { line: number; column: number }[];
}

export type ParseOutcome = { document: DocumentNode; violation?: undefined } | { violation: ParseViolation; document?: undefined };

// graphql-js 16 words its maxTokens error "Document contains more that N tokens. Parsing aborted."
const tokenLimitError = /Document contains more tha[nt] (\d+) tokens/;

/** The limit a graphql-js syntax error says the document went over, or null for any other error. */
export function tokenLimitIn(message: string): number | null {
  const match = tokenLimitError.exec(message);
  return match ? Number(match[1]) : null;
}

/** The refusal of a document with more tokens than the limit, the same from every service. */
export function tokenViolation(limits: Pick<LexicalLimits, 'maxTokens' | 'settings'>): ParseViolation {
  return {
    code: 'MAX_TOKENS_LIMIT',
    message: `parsing error: token limit reached, aborting lexing: the document has more than ${limits.maxTokens} tokens${setting(limits.settings?.maxTokens, limits.maxTokens)}`,
  };
}

/** The refusal of a document nesting deeper than the limit, the same from every service. */
export function recursionViolation(limits: Pick<LexicalLimits, 'maxRecursion' | 'settings'>): ParseViolation {
  return {
    code: 'MAX_RECURSION_LIMIT',
    message: `parsing error: parser recursion limit reached: the document nests more than ${limits.maxRecursion} levels deep${setting(limits.settings?.maxRecursion, limits.maxRecursion)}`,
  };
}

/**
 * Parses a query text within the lexical limits: first a cheap scan of its nesting, so deep
 * text never reaches the recursive parser, then graphql-js's parser, which stops counting at
 * `maxTokens`. Never throws for bad text: every refusal comes back as a value.
 */
export function parseWithinLimits(query: string, limits: LexicalLimits): ParseOutcome {
  const depth = nestingDepth(query, limits.maxRecursion);
  if (depth > limits.maxRecursion) return { violation: recursionViolation(limits) };
  try {
    return { document: parse(query, { maxTokens: limits.maxTokens }) };
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    if (tokenLimitIn(err.message) !== null) return { violation: tokenViolation(limits) };
    return {
      violation: {
        code: 'GRAPHQL_PARSE_FAILED',
        message: err.message,
        ...(err.locations ? { locations: err.locations.map(({ line, column }) => ({ line, column })) } : {}),
      },
    };
  }
}

const setting = (name: string | undefined, value: number): string => (name ? ` (${name} ${value})` : '');
