import { GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';

/** An AST node cut down to what the checks read of it: its kind and the directives applied. */
type Lean = { kind: string; directives?: readonly unknown[] };

interface WithAst {
  astNode?: Lean | null;
  extensionASTNodes?: readonly Lean[];
}

/**
 * Cuts the definition AST a schema built from SDL keeps (field types, arguments, descriptions,
 * every name again) down to each node's kind and applied directives, in place. That is all the
 * schema diff reads of it (graphql-inspector compares `astNode.directives` and names a type's
 * kind from `astNode.kind`); everything else is read from the schema's objects. On a 4,000-type
 * API schema the AST is 18 of its 20 MB, and the registry keeps API schemas between checks.
 */
export function withLeanDefinitions(schema: GraphQLSchema): GraphQLSchema {
  lean(schema as unknown as WithAst);
  for (const directive of schema.getDirectives()) lean(directive as unknown as WithAst);
  for (const type of Object.values(schema.getTypeMap())) {
    lean(type as unknown as WithAst);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        lean(field as unknown as WithAst);
        for (const arg of field.args) lean(arg as unknown as WithAst);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) lean(field as unknown as WithAst);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) lean(value as unknown as WithAst);
    }
  }
  return schema;
}

function lean(element: WithAst): void {
  if (element.astNode) element.astNode = leanNode(element.astNode);
  if (element.extensionASTNodes?.length) element.extensionASTNodes = element.extensionASTNodes.map(leanNode);
}

const leanNode = (node: Lean): Lean => (node.directives?.length ? { kind: node.kind, directives: node.directives } : { kind: node.kind });
