import { ASTVisitor, GraphQLError, ValidationContext } from 'graphql';

export const conditionalSubscriptionRoot = "a subscription's root fields cannot be skipped or included conditionally: remove @skip and @include there";

/**
 * A subscription selects exactly one root field, and the specification's later drafts forbid
 * `@skip` and `@include` there, literal or not: graphql-js 16 lets a literal one through, and a
 * subscription whose only field is skipped reached the planner, which failed it.
 */
export function SubscriptionRootConditionsRule(context: ValidationContext): ASTVisitor {
  return {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      const subscriptionType = context.getSchema().getSubscriptionType();
      if (subscriptionType && context.getParentType() === subscriptionType) context.reportError(new GraphQLError(conditionalSubscriptionRoot, { nodes: node }));
    },
  };
}
