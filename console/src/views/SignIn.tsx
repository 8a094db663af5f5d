import { FormEvent, useState } from 'react';
import { gql, RegistryError } from '../api';
import { storeKey } from '../session';
import { ErrorBox } from './parts';

/** Asks for a registry key and keeps it only once the registry accepts it. */
export function SignIn({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<RegistryError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql('{ viewer { name } }', {}, key.trim());
      storeKey(key.trim());
      onSignedIn(key.trim());
    } catch (err) {
      setError(err instanceof RegistryError ? err : new RegistryError(String(err), 'NETWORK'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Ficus registry</h1>
      <form onSubmit={submit}>
        <label>
          Registry key
          <input type="password" name="key" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="ficus_…" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p className="muted">The key stays in this tab (sessionStorage) and is sent only to this registry.</p>
      {error && <ErrorBox code={error.code} message={error.message} />}
    </main>
  );
}
