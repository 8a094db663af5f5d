import { useCallback, useEffect, useState } from 'react';
import { gql, RegistryError } from './api';

export type Loaded<T> = { status: 'loading' } | { status: 'error'; error: RegistryError } | { status: 'ok'; data: T };

/** Runs a query when its variables change; `reload` runs it again (after a mutation). */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => current && setState({ status: 'ok', data }),
      (error: unknown) =>
        current && setState({ status: 'error', error: error instanceof RegistryError ? error : new RegistryError(String(error), 'NETWORK') }),
    );
    return () => {
      current = false;
    };
  }, [query, key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}
