import { AuthorizationRules, authorizeOperation, PolicyHook } from '../authorization';
import type { LoadedSupergraph } from '../engine/engine';
import type { Authorize } from './operation-runner';

/**
 * Authorization's stage of the pipeline: the supergraph's @authenticated, @requiresScopes and
 * @policy rules (read once per supergraph) applied to the caller's token. With no rules in the
 * supergraph, it costs a lookup.
 */
export function authorizationStage(policyHook: PolicyHook | null): Authorize {
  const rulesOf = new WeakMap<LoadedSupergraph, AuthorizationRules>();
  return async (admitted, context) => {
    const loaded = admitted.served.loaded;
    let rules = rulesOf.get(loaded);
    if (!rules) rulesOf.set(loaded, (rules = AuthorizationRules.fromSupergraph(loaded.sdl)));
    if (rules.isEmpty) return { document: admitted.document, text: admitted.query, removedKey: '', errors: [] };
    const outcome = await authorizeOperation({
      rules,
      apiSchema: loaded.apiSchema,
      document: admitted.document,
      operationName: admitted.operationName,
      variables: admitted.coercedVariables,
      caller: { identity: context.identity, scopes: new Set(context.scopes ?? []) },
      policyHook,
    });
    const errors = outcome.errors.map((error) => error.toJSON());
    if (!outcome.document) return { document: null, text: null, removedKey: outcome.removedKey, errors };
    return { document: outcome.document, text: outcome.removedKey === '' ? admitted.query : null, removedKey: outcome.removedKey, errors };
  };
}
