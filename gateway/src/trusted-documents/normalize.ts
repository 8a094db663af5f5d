import { DefinitionNode, DocumentNode, Kind, Lexer, parse, print, Source, TokenKind } from 'graphql';

/**
 * A document's text with what Apollo Router's safelist ignores taken out: whitespace, commas and
 * comments (graphql's printer), and the order of top-level definitions (operations, then
 * fragments, each by name). Field order still counts. Null when the text does not parse within
 * `maxTokens`, which bounds what a hostile text costs.
 */
export function normalizedDocument(text: string, maxTokens: number): { normalized: string; document: DocumentNode } | null {
  let document: DocumentNode;
  try {
    document = parse(text, { noLocation: true, maxTokens });
  } catch {
    // Syntax errors, too many tokens, and a stack overflow on absurd nesting alike: not a listed document.
    return null;
  }
  const byName = (a: DefinitionNode, b: DefinitionNode) => nameOf(a).localeCompare(nameOf(b));
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).sort(byName);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).sort(byName);
  const normalized = print({ kind: Kind.DOCUMENT, definitions: [...operations, ...fragments] });
  return { normalized, document };
}

function nameOf(definition: DefinitionNode): string {
  return 'name' in definition && definition.name ? definition.name.value : '';
}

/** The lexical tokens of a text that lexes; the parser's `maxTokens` counts the same ones. */
export function tokenCount(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

const introspectionFields = new Set(['__schema', '__type', '__typename']);

/** Whether every operation selects only `__schema`, `__type` and `__typename` at its root (through fragments too). */
export function isIntrospectionOnly(document: DocumentNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const onlyIntrospection = (selections: readonly import('graphql').SelectionNode[]): boolean =>
    selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return introspectionFields.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyIntrospection(selection.selectionSet.selections);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return Boolean(fragment);
      seen.add(fragment.name.value);
      return onlyIntrospection(fragment.selectionSet.selections);
    });
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length > 0 && operations.every((o) => o.kind === Kind.OPERATION_DEFINITION && onlyIntrospection(o.selectionSet.selections));
}
