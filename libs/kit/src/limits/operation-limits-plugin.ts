import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError } from '../errors';
import { checkOperationLimits, OperationLimits } from './operation-limits';

/** Refuses, with HTTP 400 and the limit's code, an operation beyond `limits` before any resolver runs. */
export function operationLimitsPlugin<TContext extends object>(limits: OperationLimits): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          try {
            checkOperationLimits(schema, document, operationName, request.variables, limits);
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
