export type { AccessRequirement, Alternatives } from './access-requirement';
export { AuthorizationRules } from './authorization-rules';
export { authorizeOperation } from './authorize-operation';
export { authorizationFeatures } from './directive-names';
export type { AuthorizationInput, AuthorizationOutcome } from './authorize-operation';
export type { AuthorizationCaller, PolicyHook } from './caller-access';
export { unauthorizedCode } from './unauthorized-error';
