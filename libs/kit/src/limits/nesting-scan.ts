const OPEN_BRACE = 0x7b;
const OPEN_PAREN = 0x28;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_PAREN = 0x29;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * How deep `{`, `(` and `[` nest in a GraphQL text, outside strings, block strings and comments.
 * One pass without recursion, so a document nested 100 000 levels deep is refused before the
 * recursive parser sees it. Stops as soon as the nesting passes `max` (it returns `max + 1`).
 * Unbalanced text is measured as well as it can be: the parser refuses it afterwards.
 */
export function nestingDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  const end = text.length;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === HASH) {
      while (i < end && text.charCodeAt(i) !== NEWLINE && text.charCodeAt(i) !== RETURN) i++;
    } else if (c === QUOTE) {
      i = text.startsWith('"""', i) ? afterBlockString(text, i + 3) : afterString(text, i + 1);
      continue;
    } else if (c === OPEN_BRACE || c === OPEN_PAREN || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_PAREN || c === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    }
    i++;
  }
  return deepest;
}

/** The index after a `"…"` string that starts at `from` (after its quote); a line end also ends it, as the lexer says. */
function afterString(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else if (c === NEWLINE || c === RETURN) return i;
    else i++;
  }
  return i;
}

/** The index after a `"""…"""` block string whose body starts at `from`; `\"""` does not end it. */
function afterBlockString(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text.startsWith('\\"""', i)) i += 4;
    else if (text.startsWith('"""', i)) return i + 3;
    else i++;
  }
  return i;
}
