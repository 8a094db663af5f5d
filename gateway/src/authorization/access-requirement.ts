/**
 * What one type or field of the supergraph asks of a caller, from Apollo's authorization
 * directives. Scopes and policies are an OR of ANDs: the caller passes when it holds every
 * name of at least one inner list. Null where the directive is absent (or its list is empty,
 * which Router also treats as no requirement).
 */
export interface AccessRequirement {
  /** `@authenticated`: the caller must have presented a valid token. */
  readonly authenticated: boolean;
  /** `@requiresScopes(scopes:)`, matched against the token's `scope` claim. */
  readonly scopes: Alternatives | null;
  /** `@policy(policies:)`, decided by the gateway's policy hook. */
  readonly policies: Alternatives | null;
}

/** OR of ANDs. */
export type Alternatives = readonly (readonly string[])[];

export const noRequirement: AccessRequirement = { authenticated: false, scopes: null, policies: null };

/** Both requirements at once: what a type declared in a definition and an extension asks. */
export function bothRequirements(a: AccessRequirement, b: AccessRequirement): AccessRequirement {
  return {
    authenticated: a.authenticated || b.authenticated,
    scopes: bothAlternatives(a.scopes, b.scopes),
    policies: bothAlternatives(a.policies, b.policies),
  };
}

// (a1 OR a2) AND (b1 OR b2) = (a1 AND b1) OR (a1 AND b2) OR ...
function bothAlternatives(a: Alternatives | null, b: Alternatives | null): Alternatives | null {
  if (!a) return b;
  if (!b) return a;
  return a.flatMap((left) => b.map((right) => [...new Set([...left, ...right])]));
}

/** Whether `held` contains every name of at least one alternative. */
export function satisfiesAny(alternatives: Alternatives | null, held: ReadonlySet<string>): boolean {
  return !alternatives || alternatives.some((names) => names.every((name) => held.has(name)));
}

export function isRequirement(requirement: AccessRequirement): boolean {
  return requirement.authenticated || requirement.scopes !== null || requirement.policies !== null;
}
