/**
 * The charsets a JSON body may name: UTF-8, JSON's own, and UTF-16, which body-parser decodes.
 * body-parser passes any `utf-*` name to its decoder, which also knows UTF-7 and UTF-32: a body
 * in UTF-7 was decoded and served, and one labelled UTF-32 failed as malformed JSON.
 */
const jsonCharsets = new Set(['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be']);

/** The charset a content type names, lowercased; undefined when it names none. */
export function charsetOf(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType)?.[1]?.toLowerCase();
}

/**
 * The 415 a JSON body in another charset gets, as body-parser's own refusal (status and type,
 * which `requestErrorAnswer` turns into the answer); null when the charset is one JSON may use.
 */
export function unsupportedJsonCharset(contentType: string): Error | null {
  const charset = charsetOf(contentType);
  if (charset === undefined || jsonCharsets.has(charset)) return null;
  return Object.assign(new Error(`unsupported charset "${charset.toUpperCase()}": JSON bodies are UTF-8 (or UTF-16)`), { status: 415, type: 'charset.unsupported', charset });
}
