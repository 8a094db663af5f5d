import { variantHref } from '../router';
import { useQuery } from '../use-query';
import { Load, Status, when } from './parts';

const CHECKS = `query Checks($ref: String!) {
  variant(ref: $ref) {
    checkRuns(limit: 100) { id subgraph passed createdAt createdBy compositionErrors { code } changes { severity blocking } }
  }
}`;

interface Run {
  id: string;
  subgraph: string;
  passed: boolean;
  createdAt: string;
  createdBy: string;
  compositionErrors: { code: string }[];
  changes: { severity: string; blocking: boolean }[];
}

/** Check runs, newest first, with what failed them at a glance. */
export function ChecksPage({ graph, variant }: { graph: string; variant: string }) {
  const state = useQuery<{ variant: { checkRuns: Run[] } | null }>(CHECKS, { ref: `${graph}@${variant}` });
  return (
    <Load state={state}>
      {({ variant: found }) => {
        const runs = found?.checkRuns ?? [];
        if (runs.length === 0) return <p className="muted">No checks run yet.</p>;
        return (
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Subgraph</th>
                <th>Result</th>
                <th>Changes</th>
                <th>Composition errors</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={variantHref(graph, variant, 'checks', run.id)}>{when(run.createdAt)}</a>
                  </td>
                  <td>{run.subgraph}</td>
                  <td>
                    <Status passed={run.passed} />
                  </td>
                  <td>
                    {run.changes.length} ({run.changes.filter((c) => c.severity === 'BREAKING').length} breaking, {run.changes.filter((c) => c.blocking).length} blocking)
                  </td>
                  <td>{run.compositionErrors.map((e) => e.code).join(', ') || '—'}</td>
                  <td>{run.createdBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </Load>
  );
}
