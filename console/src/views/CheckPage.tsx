import { useQuery } from '../use-query';
import { Load, Severity, Status, when } from './parts';

const CHECK = `query Check($ref: String!, $id: ID!) {
  variant(ref: $ref) {
    checkRun(id: $id) {
      id subgraph passed createdAt createdBy
      compositionErrors { code message locations { subgraph line column } }
      changes { code severity coordinate message blocking affectedOperations { signatureHash name count clients { name version count } } }
      usage { from to totalRequests validationPeriod queryCountThreshold queryPercentageThreshold excludedClients excludedOperationNames }
    }
  }
}`;

interface CheckRun {
  id: string;
  subgraph: string;
  passed: boolean;
  createdAt: string;
  createdBy: string;
  compositionErrors: { code: string; message: string; locations: { subgraph: string; line: number; column: number }[] }[];
  changes: {
    code: string;
    severity: string;
    coordinate: string;
    message: string;
    blocking: boolean;
    affectedOperations: { signatureHash: string; name: string | null; count: number; clients: { name: string; version: string; count: number }[] }[];
  }[];
  usage: {
    from: string;
    to: string;
    totalRequests: number;
    validationPeriod: string;
    queryCountThreshold: number;
    queryPercentageThreshold: number;
    excludedClients: string[];
    excludedOperationNames: string[];
  } | null;
}

const clientLabel = (c: { name: string; version: string }) => [c.name || '(no client name)', c.version].filter(Boolean).join(' ');

/** One check run: composition errors, then each change with the operations and clients it breaks. */
export function CheckPage({ graphRef, id }: { graphRef: string; id: string }) {
  const state = useQuery<{ variant: { checkRun: CheckRun | null } | null }>(CHECK, { ref: graphRef, id });
  return (
    <Load state={state}>
      {({ variant }) => {
        const run = variant?.checkRun;
        if (!run) return <p className="muted">No such check run.</p>;
        return (
          <>
            <h2>
              Check of {run.subgraph} <Status passed={run.passed} />
            </h2>
            <p className="muted">
              Run {when(run.createdAt)} by {run.createdBy}; id <code>{run.id}</code>
            </p>
            {run.compositionErrors.length > 0 && (
              <section>
                <h3>Composition errors</h3>
                <ul className="composition-errors">
                  {run.compositionErrors.map((e, i) => (
                    <li key={i}>
                      <strong>{e.code}</strong>: {e.message}
                      {e.locations.length > 0 && <span className="muted"> ({e.locations.map((l) => `${l.subgraph}:${l.line}:${l.column}`).join(', ')})</span>}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <section>
              <h3>Schema changes</h3>
              {run.changes.length === 0 ? (
                <p className="muted">No change to the API schema.</p>
              ) : (
                <table className="changes">
                  <thead>
                    <tr>
                      <th>Severity</th>
                      <th>Change</th>
                      <th>Coordinate</th>
                      <th>Fails the check</th>
                      <th>Affected operations and clients</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.changes.map((c, i) => (
                      <tr key={i} className={c.blocking ? 'blocking' : ''}>
                        <td>
                          <Severity severity={c.severity} />
                        </td>
                        <td>
                          <code>{c.code}</code>
                          <div className="muted">{c.message}</div>
                        </td>
                        <td>
                          <code>{c.coordinate}</code>
                        </td>
                        <td>{c.blocking ? 'yes' : 'no'}</td>
                        <td>
                          {c.affectedOperations.length === 0 ? (
                            <span className="muted">none in the window</span>
                          ) : (
                            <ul className="affected">
                              {c.affectedOperations.map((op) => (
                                <li key={op.signatureHash}>
                                  <strong>{op.name ?? `anonymous ${op.signatureHash.slice(0, 12)}`}</strong> ({op.count} requests):{' '}
                                  {op.clients.map((cl) => `${clientLabel(cl)} (${cl.count})`).join(', ')}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            {run.usage && (
              <p className="muted">
                Usage window {when(run.usage.from)} – {when(run.usage.to)} ({run.usage.validationPeriod}): {run.usage.totalRequests} requests; thresholds{' '}
                {run.usage.queryCountThreshold} requests, {run.usage.queryPercentageThreshold}%
                {run.usage.excludedClients.length > 0 && `; excluded clients ${run.usage.excludedClients.join(', ')}`}
                {run.usage.excludedOperationNames.length > 0 && `; excluded operations ${run.usage.excludedOperationNames.join(', ')}`}
              </p>
            )}
          </>
        );
      }}
    </Load>
  );
}
