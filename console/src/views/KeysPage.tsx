import { FormEvent, useState } from 'react';
import { gql, RegistryError } from '../api';
import { useQuery } from '../use-query';
import { ErrorBox, Load, when } from './parts';

const KEYS = `{ viewer { id } apiKeys { id name scopes createdAt } }`;
const CREATE = `mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name } } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id } }`;

const allScopes = ['read', 'check', 'publish', 'report', 'admin'];

interface Key {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

/** Keys, for admins: create one (shown once), revoke any. */
export function KeysPage() {
  const state = useQuery<{ viewer: { id: string }; apiKeys: Key[] }>(KEYS);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<RegistryError | null>(null);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
      state.reload();
    } catch (err) {
      setError(err instanceof RegistryError ? err : new RegistryError(String(err), 'NETWORK'));
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await gql<{ createApiKey: { key: string; apiKey: { name: string } } }>(CREATE, { input: { name, scopes } });
      setCreated({ name: answer.createApiKey.apiKey.name, key: answer.createApiKey.key });
      setName('');
    });
  };
  const revoke = (key: Key) => {
    if (!window.confirm(`Revoke the key "${key.name}"? Whatever uses it is refused from now on.`)) return;
    void run(async () => {
      await gql(REVOKE, { id: key.id });
      setCreated(null);
    });
  };
  const toggle = (scope: string) => setScopes((now) => (now.includes(scope) ? now.filter((s) => s !== scope) : [...now, scope]));

  return (
    <>
      <h1>API keys</h1>
      {error && <ErrorBox code={error.code} message={error.message} />}
      {created && (
        <div className="created" role="status">
          Key <strong>{created.name}</strong> created. Copy it now: it is not shown again.
          <pre className="new-key">{created.key}</pre>
        </div>
      )}
      <Load state={state}>
        {({ viewer, apiKeys }) => (
          <>
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Scopes</th>
                  <th>Created</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {apiKeys.map((k) => (
                  <tr key={k.id}>
                    <td>
                      {k.name}
                      {k.id === viewer.id && <span className="muted"> (this session)</span>}
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{when(k.createdAt)}</td>
                    <td>
                      <button type="button" className="danger" onClick={() => revoke(k)} aria-label={`revoke ${k.name}`}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Create a key</h2>
            <form className="create-key" onSubmit={create}>
              <label>
                Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
              </label>
              <fieldset>
                <legend>Scopes</legend>
                {allScopes.map((s) => (
                  <label key={s} className="inline">
                    <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {s}
                  </label>
                ))}
              </fieldset>
              <button type="submit">Create key</button>
            </form>
          </>
        )}
      </Load>
    </>
  );
}
