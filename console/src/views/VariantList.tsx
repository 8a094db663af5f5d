import { variantHref } from '../router';
import { useQuery } from '../use-query';
import { Load, when } from './parts';

const VARIANTS = `{
  viewer { name scopes }
  variants { ref graph name supergraph { id createdAt } subgraphs { name } }
}`;

interface Data {
  viewer: { name: string; scopes: string[] };
  variants: { ref: string; graph: string; name: string; supergraph: { id: string; createdAt: string } | null; subgraphs: { name: string }[] }[];
}

export function VariantList() {
  const state = useQuery<Data>(VARIANTS);
  return (
    <Load state={state}>
      {({ viewer, variants }) => (
        <>
          <p className="muted">
            Signed in as <strong>{viewer.name}</strong> ({viewer.scopes.join(', ')})
          </p>
          <h1>Graphs and variants</h1>
          {variants.length === 0 ? (
            <p className="muted">Nothing published yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Graph</th>
                  <th>Variant</th>
                  <th>Subgraphs</th>
                  <th>Supergraph</th>
                </tr>
              </thead>
              <tbody>
                {variants.map((v) => (
                  <tr key={v.ref}>
                    <td>{v.graph}</td>
                    <td>
                      <a href={variantHref(v.graph, v.name)}>{v.ref}</a>
                    </td>
                    <td>{v.subgraphs.map((s) => s.name).join(', ') || '—'}</td>
                    <td>{v.supergraph ? `${v.supergraph.id.slice(0, 12)} (${when(v.supergraph.createdAt)})` : 'none composed'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Load>
  );
}
