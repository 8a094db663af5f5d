import { variantHref } from '../router';
import { useQuery } from '../use-query';
import { Load, when } from './parts';

const SUBGRAPHS = `query Subgraphs($ref: String!) {
  variant(ref: $ref) { subgraphs { name routingUrl publishedAt publishedBy } }
}`;

interface Data {
  variant: { subgraphs: { name: string; routingUrl: string; publishedAt: string; publishedBy: string }[] } | null;
}

export function SubgraphsPage({ graph, variant }: { graph: string; variant: string }) {
  const state = useQuery<Data>(SUBGRAPHS, { ref: `${graph}@${variant}` });
  return (
    <Load state={state}>
      {({ variant: found }) =>
        !found ? (
          <p className="muted">No such variant.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Subgraph</th>
                <th>Routing URL</th>
                <th>Published</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {found.subgraphs.map((s) => (
                <tr key={s.name}>
                  <td>
                    <a href={variantHref(graph, variant, 'subgraphs', s.name)}>{s.name}</a>
                  </td>
                  <td>
                    <code>{s.routingUrl}</code>
                  </td>
                  <td>{when(s.publishedAt)}</td>
                  <td>{s.publishedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Load>
  );
}
