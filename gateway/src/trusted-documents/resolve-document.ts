import { createHash } from 'node:crypto';
import type { Refusal } from '../errors';
import type { ApqStore } from './apq-store';
import type { PersistedQueriesMode } from './config';
import { isIntrospectionOnly, normalizedDocument } from './normalize';
import type { OperationList } from './operation-list';
import { readPersistedQuery } from './persisted-query-extension';
import { trustedDocumentRefusals as refuse } from './refusals';

/** How a request's document was found, or why it was refused: one metric label each. */
export type TrustedDocumentOutcome =
  /** An id found in the persisted query list. */
  | 'listed_id'
  /** A text equal to a listed body. */
  | 'listed_body'
  /** Refuse mode let an introspection-only document through (introspection is on). */
  | 'introspection'
  | 'apq_hit'
  | 'apq_registered'
  /** log mode: served although not in the list. */
  | 'unlisted'
  /** off mode: any text, not looked up. */
  | 'freeform'
  | 'refused';

export const trustedDocumentOutcomes: readonly TrustedDocumentOutcome[] = [
  'listed_id',
  'listed_body',
  'introspection',
  'apq_hit',
  'apq_registered',
  'unlisted',
  'freeform',
  'refused',
];

/** What the resolver needs to know, as it stands at this request. */
export interface ResolverState {
  mode: PersistedQueriesMode;
  requireId: boolean;
  list: OperationList;
  /** Null when APQ is off (always in refuse mode). */
  apq: ApqStore | null;
  /** Refuse mode lets introspection-only documents through when introspection is on, as Router does. */
  allowIntrospection: boolean;
}

/** A GraphQL request as far as this stage reads it. */
export interface DocumentRequest {
  query?: string | null;
  extensions?: unknown;
}

export type DocumentResolution =
  | { query: string; persistedId: string | null; outcome: TrustedDocumentOutcome; refused?: undefined }
  | { refused: Refusal; outcome: 'refused' };

const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The text a request runs, from its `query` or from the persisted id in its extensions, or why
 * it is refused. Called first in the pipeline: the texts it lets through still face every other check.
 * Codes and statuses are Apollo Router's (and Apollo Server's for APQ).
 */
export function resolveDocument(state: ResolverState, request: DocumentRequest): DocumentResolution {
  const persisted = readPersistedQuery(request.extensions);
  if (persisted.kind === 'invalid') return refusedWith(refuse.badRequest(persisted.message));
  if (request.query !== undefined && request.query !== null && typeof request.query !== 'string') {
    return refusedWith(refuse.badRequest('query must be a string'));
  }
  const text = request.query || null;
  const listed = state.mode !== 'off';

  if (persisted.kind === 'id') {
    const { id } = persisted;
    if (text === null) {
      const operation = listed ? state.list.operation(id) : undefined;
      if (operation) return { query: operation.body, persistedId: id, outcome: 'listed_id' };
      if (state.apq) {
        const registered = state.apq.get(id);
        if (registered === undefined) return refusedWith(refuse.apqNotFound());
        return { query: registered, persistedId: null, outcome: listed && !state.list.match(registered) ? 'unlisted' : 'apq_hit' };
      }
      return refusedWith(listed ? refuse.notInList(id) : refuse.notSupported());
    }
    // An id with its text registers it (APQ); without APQ the pair is refused, as Router does.
    if (!state.apq) return refusedWith(listed ? refuse.idAndBody() : refuse.notSupported());
    if (sha256Of(text) !== id) return refusedWith(refuse.hashMismatch());
    state.apq.set(id, text);
    return { query: text, persistedId: null, outcome: listed && !state.list.match(text) ? 'unlisted' : 'apq_registered' };
  }

  if (text === null) return refusedWith(refuse.badRequest('GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.'));
  if (!listed) return { query: text, persistedId: null, outcome: 'freeform' };
  if (state.mode === 'refuse' && state.requireId) return refusedWith(refuse.idRequired());
  const match = state.list.match(text);
  if (match) return { query: text, persistedId: match.id, outcome: 'listed_body' };
  if (state.mode === 'log') return { query: text, persistedId: null, outcome: 'unlisted' };
  if (state.allowIntrospection && isIntrospection(text, state.list.maxTokens)) return { query: text, persistedId: null, outcome: 'introspection' };
  return refusedWith(refuse.notInSafelist());
}

function refusedWith(refused: Refusal): DocumentResolution {
  return { refused, outcome: 'refused' };
}

// Sandbox's introspection query is about 1 600 tokens; the list's largest body may allow more.
const introspectionMaxTokens = 4_000;

function isIntrospection(text: string, listMaxTokens: number): boolean {
  const parsed = normalizedDocument(text, Math.max(introspectionMaxTokens, listMaxTokens));
  return parsed !== null && isIntrospectionOnly(parsed.document);
}
