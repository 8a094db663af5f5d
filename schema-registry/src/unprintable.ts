/**
 * Characters that change how a terminal or a page shows the text around them: the C0 and C1
 * controls, the line and paragraph separators and the bidirectional overrides.
 */
const beyondC0 = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/** Any of them: what a printed name (an API key's) may not hold. */
export const unprintable = new RegExp(`[\\u0000-\\u001f${beyondC0}]`);

/** Any of them but tab and newline, which text printed as lines keeps (global, for `replace`). */
export const unprintableInLines = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${beyondC0}]`, 'g');
