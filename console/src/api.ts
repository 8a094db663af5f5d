import { forgetKey, signedOutEvent, storedKey } from './session';

/** An error the registry answered with, carrying its stable code (UNAUTHENTICATED, FORBIDDEN, …). */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

// The console is served by the registry, so its API is on the same origin.
const endpoint = new URL('../graphql', window.location.href).toString();

/** Sends one GraphQL request to the registry with the signed-in key (or `key`). */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, key: string | null = storedKey()): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new RegistryError(`the registry answered HTTP ${response.status}`, 'HTTP_ERROR');
  }
  const first = body.errors?.[0];
  if (first?.extensions?.code === 'UNAUTHENTICATED' && key !== null && key === storedKey()) {
    // The signed-in key was revoked (or the registry's keys replaced): back to the sign-in form.
    forgetKey();
    window.dispatchEvent(new Event(signedOutEvent));
  }
  if (first) throw new RegistryError(first.message, first.extensions?.code ?? 'ERROR');
  return body.data as T;
}
