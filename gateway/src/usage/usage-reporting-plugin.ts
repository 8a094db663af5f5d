import type { ApolloServerPlugin } from '@apollo/server';
import { calculateReferencedFieldsByType, usageReportingSignature } from '@apollo/utils.usagereporting';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../execution/gateway-context';
import type { UsageReporter } from './usage-reporter';

interface OperationShape {
  signature: string;
  coordinates: string[];
}

/** Distinct (schema, document, operation name) shapes remembered, so a repeated operation costs a lookup. */
const shapeCacheSize = 1_000;

/**
 * Reports every operation the gateway resolved (it parsed, validated and named an operation;
 * errors during execution still count, as in Apollo's usage reporting) with its signature, the
 * `Type.field` coordinates it selects on the API schema it ran against, and the client from
 * the `apollographql-client-name` / `-version` headers. Reporting never fails a request.
 */
export function usageReportingPlugin(reporter: UsageReporter): ApolloServerPlugin<GatewayContext> {
  const shapes = new WeakMap<GraphQLSchema, Map<string, OperationShape>>();

  const shapeOf = (schema: GraphQLSchema, document: DocumentNode, queryHash: string, operationName: string | null) => {
    let bySchema = shapes.get(schema);
    if (!bySchema) shapes.set(schema, (bySchema = new Map()));
    const key = `${queryHash}:${operationName ?? ''}`;
    let shape = bySchema.get(key);
    if (!shape) {
      const fields = calculateReferencedFieldsByType({ document, schema, resolvedOperationName: operationName });
      const coordinates = Object.entries(fields).flatMap(([type, { fieldNames }]) =>
        fieldNames.filter((field) => !field.startsWith('__')).map((field) => `${type}.${field}`),
      );
      shape = { signature: usageReportingSignature(document, operationName ?? ''), coordinates: coordinates.sort() };
      if (bySchema.size >= shapeCacheSize) bySchema.delete(bySchema.keys().next().value!);
      bySchema.set(key, shape);
    }
    return shape;
  };

  return {
    async requestDidStart({ request }) {
      const headers = request.http?.headers;
      const clientName = headers?.get('apollographql-client-name') ?? '';
      const clientVersion = headers?.get('apollographql-client-version') ?? '';
      return {
        async willSendResponse(context) {
          const { document, operation, schema, queryHash } = context;
          if (!document || !operation || !queryHash) return;
          try {
            const operationName = operation.name?.value ?? null;
            const { signature, coordinates } = shapeOf(schema, document, queryHash, operationName);
            reporter.record({ signature, operationName, clientName: clientName.slice(0, 200), clientVersion: clientVersion.slice(0, 200), coordinates });
          } catch (err) {
            context.logger.warn(`usage reporting skipped an operation: ${(err as Error).message}`);
          }
        },
      };
    },
  };
}
