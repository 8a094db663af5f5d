import { useState } from 'react';
import { useQuery } from '../use-query';
import { Load, when } from './parts';

const USAGE = `query Usage($ref: String!, $period: String) {
  variant(ref: $ref) {
    fieldUsage(period: $period) { from to totalRequests fields { coordinate count operations clients { name version count } } }
  }
}`;

interface FieldUsage {
  from: string;
  to: string;
  totalRequests: number;
  fields: { coordinate: string; count: number; operations: string[]; clients: { name: string; version: string; count: number }[] }[];
}

const periods = ['1h', '24h', '7d', '30d'];

/** How often each field was used over a window, with the operations and clients that used it. */
export function UsagePage({ graphRef }: { graphRef: string }) {
  const [period, setPeriod] = useState<string | null>(null);
  const state = useQuery<{ variant: { fieldUsage: FieldUsage } | null }>(USAGE, { ref: graphRef, period });
  return (
    <>
      <p>
        Window:{' '}
        <select aria-label="window" value={period ?? ''} onChange={(e) => setPeriod(e.target.value || null)}>
          <option value="">the check settings' period</option>
          {periods.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </p>
      <Load state={state}>
        {({ variant }) => {
          if (!variant) return <p className="muted">No such variant.</p>;
          const usage = variant.fieldUsage;
          return (
            <>
              <p className="muted">
                {when(usage.from)} – {when(usage.to)}: {usage.totalRequests} requests
              </p>
              {usage.fields.length === 0 ? (
                <p className="muted">No usage reported in this window.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th>Field</th>
                      <th>Requests</th>
                      <th>Operations</th>
                      <th>Clients</th>
                    </tr>
                  </thead>
                  <tbody>
                    {usage.fields.map((f) => (
                      <tr key={f.coordinate}>
                        <td>
                          <code>{f.coordinate}</code>
                        </td>
                        <td className="number">{f.count}</td>
                        <td>{f.operations.join(', ')}</td>
                        <td>{f.clients.map((c) => `${c.name || '(none)'} ${c.version}`.trim() + ` (${c.count})`).join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </Load>
    </>
  );
}
