/**
 * The escape character of every LIKE pattern the services build: say `ESCAPE '\'` after the
 * pattern. SQLite's LIKE has none unless told one, PostgreSQL's is a backslash by default.
 */
export const likeEscapeClause = "escape '\\'";

/** A LIKE pattern matching text that contains `text`, in which `%`, `_` and `\` stand for themselves. */
export function likeContaining(text: string): string {
  return `%${likeEscaped(text)}%`;
}

/** `text` with LIKE's wildcards and the escape character escaped, to put inside a pattern. */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
