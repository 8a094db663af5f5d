import type { Identity } from '@ficus/kit/service';
import { AccessRequirement, satisfiesAny } from './access-requirement';

/** Who is asking, as the bearer token proved it. */
export interface AuthorizationCaller {
  /** Null for an anonymous request. */
  identity: Identity | null;
  /** The token's OAuth2 `scope` claim, split; empty for an anonymous request. */
  scopes: ReadonlySet<string>;
}

/**
 * Decides which of the requested policies the caller satisfies: the gateway config's hook.
 * It is asked once per operation, only about the policies the operation reaches; a policy it
 * does not return is denied. A hook that throws fails the request.
 */
export type PolicyHook = (
  policies: readonly string[],
  identity: Identity | null,
) => Iterable<string> | Promise<Iterable<string>>;

/** What the caller holds: whether it may see a type or field. */
export class CallerAccess {
  constructor(
    private readonly authenticated: boolean,
    private readonly scopes: ReadonlySet<string>,
    private readonly grantedPolicies: ReadonlySet<string>,
  ) {}

  allows(requirement: AccessRequirement | undefined): boolean {
    if (!requirement) return true;
    if (requirement.authenticated && !this.authenticated) return false;
    return satisfiesAny(requirement.scopes, this.scopes) && satisfiesAny(requirement.policies, this.grantedPolicies);
  }
}

/** The policies, of those asked about, that the hook grants; none without a hook. */
export async function grantedPolicies(
  hook: PolicyHook | null,
  asked: readonly string[],
  identity: Identity | null,
): Promise<ReadonlySet<string>> {
  if (!hook || asked.length === 0) return new Set();
  const granted = new Set(await hook(asked, identity));
  // A hook may answer more than it was asked: only the asked ones count.
  return new Set(asked.filter((policy) => granted.has(policy)));
}
