import { DocumentNode, GraphQLSchema, Kind, OperationDefinitionNode, separateOperations, TypeInfo, visit, visitWithTypeInfo } from 'graphql';

/**
 * The `Type.field` coordinates one operation of `document` selects, sorted, introspection
 * fields left out: on an interface as the interface's (as Apollo's usage reporting counts them),
 * fragments followed. Only the named operation's own definitions are visited.
 */
export function referencedCoordinates(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): string[] {
  const own = separateOperations(document)[operationName ?? ''] ?? soleOperation(document);
  if (!own) return [];
  const typeInfo = new TypeInfo(schema);
  const coordinates = new Set<string>();
  visit(
    own,
    visitWithTypeInfo(typeInfo, {
      Field(field) {
        const parent = typeInfo.getParentType();
        if (parent && !field.name.value.startsWith('__')) coordinates.add(`${parent.name}.${field.name.value}`);
      },
    }),
  );
  return [...coordinates].sort();
}

/** separateOperations keys an anonymous operation by ''; a document of one operation is that one. */
function soleOperation(document: DocumentNode): DocumentNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 ? document : undefined;
}
