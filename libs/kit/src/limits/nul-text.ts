import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, visit } from 'graphql';
import { badInput, DomainError } from '../errors';

/**
 * Refuses (BAD_USER_INPUT) an operation whose text holds U+0000 anywhere: in a string literal
 * or in a variable's value at any depth. PostgreSQL stores no NUL in text, so such a value
 * would fail deep in a resolver's write as an internal error; it is refused before any
 * resolver runs, on SQLite too, so that both databases answer alike.
 */
export function refuseNulText(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): void {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\0')) found = true;
    },
  });
  if (found || jsonHoldsNul(variables)) throw badInput('text may not hold the character U+0000 (NUL)');
}

/** Walks a JSON value without recursion, so deeply nested variables cannot overflow the stack. */
function jsonHoldsNul(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) pending.push(item);
    }
  }
  return false;
}

/** `refuseNulText` on every operation, answered with HTTP 400 before any resolver runs. */
export function nulTextPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          try {
            refuseNulText(document, request.variables);
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
