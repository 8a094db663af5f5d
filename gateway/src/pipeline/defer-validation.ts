import { ASTVisitor, DirectiveNode, GraphQLError, Kind, ValidationContext } from 'graphql';

/**
 * The incremental delivery specification's rules for `@defer`, which graphql-js 16 does not
 * have (its 17 does: `DeferStreamDirectiveLabelRule`, `DeferStreamDirectiveOnRootFieldRule`):
 * a label is a literal string, unique in the document, since a client tells the parts apart
 * by it; and a mutation's or subscription's root fields are not deferred (mutations run in
 * order, a subscription's event is one result).
 */
export function DeferDirectiveRule(context: ValidationContext): ASTVisitor {
  const labelled = new Map<string, DirectiveNode>();
  return {
    Directive(node) {
      if (node.name.value !== 'defer') return;
      const rootType = context.getParentType();
      const schema = context.getSchema();
      const root = rootType === schema.getMutationType() ? 'mutation' : rootType === schema.getSubscriptionType() ? 'subscription' : null;
      if (rootType && root) {
        context.reportError(new GraphQLError(`@defer cannot be used on the root ${root} type "${rootType.name}"`, { nodes: node }));
      }
      const label = node.arguments?.find((argument) => argument.name.value === 'label')?.value;
      if (!label) return;
      if (label.kind !== Kind.STRING) {
        context.reportError(new GraphQLError('the label of @defer must be a literal string, not a variable', { nodes: label }));
        return;
      }
      const first = labelled.get(label.value);
      if (first) context.reportError(new GraphQLError(`the label "${label.value}" is used by more than one @defer: each must be unique in the document`, { nodes: [first, node] }));
      else labelled.set(label.value, node);
    },
  };
}
