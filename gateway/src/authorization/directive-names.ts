import { ConstDirectiveNode, DocumentNode, Kind, ValueNode } from 'graphql';
import { supergraphLinks } from '../supergraph/supergraph-links';

/** What a supergraph calls each authorization directive; null for a spec it does not link. */
export interface AuthorizationDirectiveNames {
  authenticated: string | null;
  requiresScopes: string | null;
  policy: string | null;
}

type Spec = keyof AuthorizationDirectiveNames;

/**
 * The `for: SECURITY` features this module enforces. `Supergraph.build` refuses a supergraph
 * linking them unless they are among its `supportedFeatures`: add these only where the
 * authorization stage runs, so that an unenforced supergraph keeps being refused.
 */
export const authorizationFeatures: readonly string[] = ['authenticated', 'requiresScopes', 'policy'].map(
  (spec) => `https://specs.apollo.dev/${spec}/v0.1`,
);

const specUrl = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v(\d+\.\d+)$/;
// The versions whose semantics this module implements (Router accepts only these too).
const supportedVersion = '0.1';

/**
 * Reads the names from the supergraph's `@link(url: "https://specs.apollo.dev/authenticated/v0.1",
 * for: SECURITY)` and its siblings: composition writes the spec's own name (`@authenticated`),
 * but a link's `as:` or an import's `as` renames it. A version other than v0.1 throws: serving
 * a supergraph whose access rules the gateway would not understand would leave fields open.
 */
export function authorizationDirectiveNames(supergraph: DocumentNode): AuthorizationDirectiveNames {
  const names: AuthorizationDirectiveNames = { authenticated: null, requiresScopes: null, policy: null };
  for (const link of supergraphLinks(supergraph)) {
    const match = specUrl.exec(link.url);
    if (!match) continue;
    const spec = match[1] as Spec;
    if (match[2] !== supportedVersion) {
      throw new Error(`the supergraph links ${spec} v${match[2]}; the gateway enforces only v${supportedVersion}`);
    }
    names[spec] = importedName(link.directive, `@${spec}`) ?? link.as ?? spec;
  }
  return names;
}

/** The local name of `@directive` in `import: ["@directive"]` or `[{ name: "@directive", as: "@other" }]`, without `@`. */
function importedName(link: ConstDirectiveNode, directive: string): string | null {
  const list = link.arguments?.find((argument) => argument.name.value === 'import')?.value;
  if (list?.kind !== Kind.LIST) return null;
  for (const entry of list.values) {
    if (entry.kind === Kind.STRING && entry.value === directive) return directive.slice(1);
    if (entry.kind !== Kind.OBJECT) continue;
    const field = (key: string): ValueNode | undefined => entry.fields.find((f) => f.name.value === key)?.value;
    const name = field('name');
    const as = field('as');
    if (name?.kind === Kind.STRING && name.value === directive) {
      return (as?.kind === Kind.STRING ? as.value : name.value).replace(/^@/, '');
    }
  }
  return null;
}
