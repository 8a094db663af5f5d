import type { ReactNode } from 'react';
import type { Loaded } from '../use-query';

/** Shows loading and errors the same way everywhere; renders `children` with the data. */
export function Load<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ReactNode }) {
  if (state.status === 'loading') return <p className="muted">Loading…</p>;
  if (state.status === 'error') return <ErrorBox code={state.error.code} message={state.error.message} />;
  return <>{children(state.data)}</>;
}

export function ErrorBox({ code, message }: { code: string; message: string }) {
  return (
    <p className="error" role="alert">
      <strong>{code}</strong>: {message}
    </p>
  );
}

export function NotFound() {
  return <p className="muted">No such page.</p>;
}

export const when = (iso: string): string => new Date(iso).toLocaleString();

export function Severity({ severity }: { severity: string }) {
  return <span className={`badge ${severity.toLowerCase()}`}>{severity}</span>;
}

export function Status({ passed }: { passed: boolean }) {
  return <span className={`badge ${passed ? 'passed' : 'failed'}`}>{passed ? 'PASSED' : 'FAILED'}</span>;
}
