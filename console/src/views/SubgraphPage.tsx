import { useState } from 'react';
import { variantHref } from '../router';
import { useQuery } from '../use-query';
import { Load, when } from './parts';

const VERSIONS = `query Versions($ref: String!, $name: String!) {
  variant(ref: $ref) { subgraphVersions(name: $name) { id routingUrl publishedAt publishedBy supergraphId } }
}`;

export interface Version {
  id: string;
  routingUrl: string;
  publishedAt: string;
  publishedBy: string;
  supergraphId: string;
}

/** A subgraph's versions; pick any two to compare their SDL. */
export function SubgraphPage({ graph, variant, name }: { graph: string; variant: string; name: string }) {
  const state = useQuery<{ variant: { subgraphVersions: Version[] } | null }>(VERSIONS, { ref: `${graph}@${variant}`, name });
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((now) => (now.includes(id) ? now.filter((p) => p !== id) : [...now, id].slice(-2)));
  const [older, newer] = [...picked].sort((x, y) => Number(x) - Number(y));
  return (
    <>
      <h2>Subgraph {name}</h2>
      <Load state={state}>
        {({ variant: found }) => {
          const versions = found?.subgraphVersions ?? [];
          if (versions.length === 0) return <p className="muted">No versions published.</p>;
          const label = (id: string) => `v${versions.length - versions.findIndex((v) => v.id === id)}`;
          return (
            <>
              <table>
                <thead>
                  <tr>
                    <th>Compare</th>
                    <th>Version</th>
                    <th>Published</th>
                    <th>By</th>
                    <th>Routing URL</th>
                    <th>Supergraph</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v, i) => (
                    <tr key={v.id}>
                      <td>
                        <input type="checkbox" aria-label={`compare version ${v.id}`} checked={picked.includes(v.id)} onChange={() => toggle(v.id)} />
                      </td>
                      <td>
                        v{versions.length - i} <span className="muted">(#{v.id})</span>
                      </td>
                      <td>{when(v.publishedAt)}</td>
                      <td>{v.publishedBy}</td>
                      <td>
                        <code>{v.routingUrl}</code>
                      </td>
                      <td>
                        <code>{v.supergraphId.slice(0, 12)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                {older && newer ? (
                  <a className="button" href={variantHref(graph, variant, 'subgraphs', name, 'diff', older, newer)}>
                    Compare {label(older)} with {label(newer)}
                  </a>
                ) : versions.length > 1 ? (
                  <a className="button" href={variantHref(graph, variant, 'subgraphs', name, 'diff', versions[1]!.id, versions[0]!.id)}>
                    Compare the last two versions
                  </a>
                ) : (
                  <span className="muted">One version only: nothing to compare yet.</span>
                )}
              </p>
            </>
          );
        }}
      </Load>
    </>
  );
}
