// The signature module alone: the package's entry also loads a protobuf runtime the gateway has no use for.
import { usageReportingSignature } from '@apollo/utils.usagereporting/dist/signature';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { referencedCoordinates } from './referenced-coordinates';
import type { ServedOperation } from './usage-reporter';

interface OperationShape {
  signature: string;
  coordinates: string[];
}

/** Distinct (schema, document, operation name) shapes remembered, so a repeated operation costs a lookup. */
const shapeCacheSize = 1_000;

/**
 * What usage reporting keys an operation by: Apollo's signature and the `Type.field`
 * coordinates it selects on the API schema it ran against, for every operation type.
 */
export class OperationUsage {
  private readonly shapes = new WeakMap<GraphQLSchema, Map<string, OperationShape>>();

  of(schema: GraphQLSchema, document: DocumentNode, text: string, operationName: string | null, client: { name: string; version: string }): ServedOperation {
    let bySchema = this.shapes.get(schema);
    if (!bySchema) this.shapes.set(schema, (bySchema = new Map()));
    const key = `${operationName ?? ''}\n${text}`;
    let shape = bySchema.get(key);
    if (!shape) {
      shape = { signature: usageReportingSignature(document, operationName ?? ''), coordinates: referencedCoordinates(schema, document, operationName) };
      if (bySchema.size >= shapeCacheSize) bySchema.delete(bySchema.keys().next().value!);
      bySchema.set(key, shape);
    }
    return { signature: shape.signature, operationName, clientName: client.name.slice(0, 200), clientVersion: client.version.slice(0, 200), coordinates: shape.coordinates };
  }
}
