import { parseWithinLimits } from '../src';

const settings = { maxTokens: 'PARSER_MAX_TOKENS', maxRecursion: 'PARSER_MAX_RECURSION' };

describe('parsing within lexical limits', () => {
  const limits = { maxTokens: 15_000, maxRecursion: 500 };

  it('parses a document within the limits', () => {
    const outcome = parseWithinLimits('query Q { me { id } }', limits);

    expect(outcome.document?.definitions).toHaveLength(1);
  });

  it('answers a syntax error as a value with GRAPHQL_PARSE_FAILED and where it is', () => {
    const outcome = parseWithinLimits('query Q { me { id }', limits);

    expect(outcome.violation).toEqual({
      code: 'GRAPHQL_PARSE_FAILED',
      message: 'Syntax Error: Expected Name, found <EOF>.',
      locations: [{ line: 1, column: 20 }],
    });
  });

  it('accepts a document of exactly the most tokens and refuses one more, naming the setting', () => {
    // `{`, n fields and `}`: n + 2 tokens.
    const tokens = (n: number) => `{ ${'id '.repeat(n - 2)}}`;

    expect(parseWithinLimits(tokens(100), { maxTokens: 100, maxRecursion: 10, settings }).document).toBeDefined();
    const refused = parseWithinLimits(tokens(101), { maxTokens: 100, maxRecursion: 10, settings }).violation;
    expect(refused).toEqual({
      code: 'MAX_TOKENS_LIMIT',
      message: 'parsing error: token limit reached, aborting lexing: the document has more than 100 tokens (PARSER_MAX_TOKENS 100)',
    });
  });

  it('accepts nesting of exactly the deepest level and refuses one more, naming the setting', () => {
    const nested = (levels: number) => `${'{ a '.repeat(levels)}${'}'.repeat(levels)}`;

    expect(parseWithinLimits(nested(10), { maxTokens: 1_000, maxRecursion: 10, settings }).document).toBeDefined();
    expect(parseWithinLimits(nested(11), { maxTokens: 1_000, maxRecursion: 10, settings }).violation).toEqual({
      code: 'MAX_RECURSION_LIMIT',
      message: 'parsing error: parser recursion limit reached: the document nests more than 10 levels deep (PARSER_MAX_RECURSION 10)',
    });
  });

  it('says only the limit when no setting is named', () => {
    expect(parseWithinLimits('{ a { b } }', { maxTokens: 100, maxRecursion: 1 }).violation?.message).toBe(
      'parsing error: parser recursion limit reached: the document nests more than 1 levels deep',
    );
  });

  it('refuses a document nested 100 000 levels deep before the recursive parser sees it', () => {
    const deep = `${'{ a '.repeat(100_000)}${'}'.repeat(100_000)}`;

    const started = performance.now();
    const outcome = parseWithinLimits(deep, { maxTokens: 1_000_000, maxRecursion: 500 });

    expect(outcome.violation?.code).toBe('MAX_RECURSION_LIMIT');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('counts argument parentheses and list brackets as nesting too', () => {
    const limits = { maxTokens: 1_000, maxRecursion: 5 };

    expect(parseWithinLimits('{ a(x: [[[1]]]) }', limits).document).toBeDefined();
    expect(parseWithinLimits('{ a(x: [[[[1]]]]) }', limits).violation?.code).toBe('MAX_RECURSION_LIMIT');
    expect(parseWithinLimits('{ a(x: {b: {c: {d: {e: 1}}}}) }', limits).violation?.code).toBe('MAX_RECURSION_LIMIT');
  });

  it('does not count brackets inside strings, block strings and comments', () => {
    const limits = { maxTokens: 1_000, maxRecursion: 2 };
    const query = [
      '# {{{{{{ [[[[ ((((',
      '{ a(s: "{{{{ \\" [[[[", t: """ {{{{ \\""" [[[[ """) { b } }',
    ].join('\n');

    expect(parseWithinLimits(query, limits).document).toBeDefined();
  });

  it('scans an unterminated string or block string to the end without hanging', () => {
    const limits = { maxTokens: 1_000, maxRecursion: 3 };

    expect(parseWithinLimits('{ a(s: "{{{{{{', limits).violation?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(parseWithinLimits('{ a(s: """{{{{{{', limits).violation?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
