import { DocumentNode, getOperationAST, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { AccessRequirement } from './access-requirement';
import type { AuthorizationRules } from './authorization-rules';
import { AuthorizationCaller, CallerAccess, grantedPolicies, PolicyHook } from './caller-access';
import { filteredDocument } from './filtered-document';
import { SelectionConditions } from './selection-conditions';
import { Allows, SelectionFilter } from './selection-filter';
import { unauthorizedError } from './unauthorized-error';

export interface AuthorizationInput {
  rules: AuthorizationRules;
  apiSchema: GraphQLSchema;
  /** A document that validated against `apiSchema`. */
  document: DocumentNode;
  operationName: string | null;
  /** The request's variables (coerced or not): they decide `@skip`/`@include` only. */
  variables: Record<string, unknown>;
  caller: AuthorizationCaller;
  /** Null denies every policy. */
  policyHook: PolicyHook | null;
}

export interface AuthorizationOutcome {
  /**
   * The document to plan: unauthorized selections removed (the same object when nothing was).
   * Null when nothing of the operation is left: answer `{ data: null, errors }` without planning,
   * as Router does; `errors` is empty only when everything removed was also skipped, and the
   * operation, which then selects nothing, is answered `{ data: {} }`.
   */
  document: DocumentNode | null;
  /** One UNAUTHORIZED_FIELD_OR_TYPE error per removed selection that the operation does not skip. */
  errors: GraphQLError[];
  /**
   * Names where selections were removed, '' when none were: with the document, it decides the
   * filtered document (which does not depend on variables), so it belongs in the plan cache key.
   */
  removedKey: string;
}

/**
 * The gateway's authorization stage, with Apollo Router's semantics for `@authenticated`,
 * `@requiresScopes` and `@policy`: what the caller may not see is removed from the operation
 * before planning and reported as an error at its path; the rest is served. The executor shapes
 * the response with the original document, so a removed field comes back null.
 *
 * Policies are decided by the gateway config's `policyHook`, asked once about the policies the
 * operation reaches. Without a hook every policy is denied: a supergraph that uses `@policy`
 * serves nothing guarded by it until a hook is configured (the secure default).
 *
 * Unlike Router, selections under an inactive `@skip`/`@include` are removed but not reported,
 * only the operation named by `operationName` is filtered and kept, and a fragment on an abstract
 * type that selects fields directly needs every possible type's requirements.
 */
export async function authorizeOperation(input: AuthorizationInput): Promise<AuthorizationOutcome> {
  const { rules, document } = input;
  const unchanged: AuthorizationOutcome = { document, errors: [], removedKey: '' };
  if (rules.isEmpty) return unchanged;
  const operation = getOperationAST(document, input.operationName ?? undefined);
  if (!operation) return unchanged; // admission refuses it before this stage

  const identity = input.caller.identity;
  const asked = rules.policyNames.size > 0 && input.policyHook ? requestedPolicies(input, operation) : [];
  const access = new CallerAccess(identity !== null, input.caller.scopes, await grantedPolicies(input.policyHook, asked, identity));
  const filter = selectionFilter(input, operation, (requirement) => access.allows(requirement));
  const { selectionSet, removals } = filter.operation(operation);
  if (removals.length === 0) return unchanged;

  return {
    document: selectionSet && filteredDocument(operation, selectionSet, filter),
    errors: removals.filter((removal) => removal.reported).map((removal) => unauthorizedError(removal.path)),
    removedKey: [...new Set(removals.map((removal) => removal.position))].sort().join(','),
  };
}

/** Every policy named by a requirement the operation reaches, found by a pass that removes nothing. */
function requestedPolicies(input: AuthorizationInput, operation: OperationDefinitionNode): string[] {
  const policies = new Set<string>();
  const record = (requirement: AccessRequirement | undefined) => {
    requirement?.policies?.forEach((all) => all.forEach((policy) => policies.add(policy)));
    return true;
  };
  selectionFilter(input, operation, record).operation(operation);
  return [...policies].sort();
}

function selectionFilter(input: AuthorizationInput, operation: OperationDefinitionNode, allows: Allows): SelectionFilter {
  const conditions = new SelectionConditions(operation, input.variables);
  return new SelectionFilter(input.apiSchema, input.rules, input.document, conditions, allows);
}
