import { formatCompositionMessage, formatHint } from '../src/cli/format-check';

describe('composition messages as the CLI prints them', () => {
  it('adds where composition says a message is', () => {
    const message = { code: 'FIELD_TYPE_MISMATCH', message: '[reviews] Type of field "Review.id" is incompatible', locations: [{ subgraph: 'reviews', line: 2, column: 3 }] };
    expect(formatCompositionMessage(message)).toBe('FIELD_TYPE_MISMATCH: [reviews] Type of field "Review.id" is incompatible (reviews:2:3)');
    expect(formatHint({ ...message, locations: [] })).toBe('hint[FIELD_TYPE_MISMATCH]: [reviews] Type of field "Review.id" is incompatible');
  });

  it('prints the place of a syntax error once, since its message already names it', () => {
    const syntax = { code: 'INVALID_GRAPHQL', message: '[products] Syntax Error: Unexpected <EOF>. (products:1:1)', locations: [{ subgraph: 'products', line: 1, column: 1 }] };
    expect(formatCompositionMessage(syntax)).toBe('INVALID_GRAPHQL: [products] Syntax Error: Unexpected <EOF>. (products:1:1)');
  });
});
