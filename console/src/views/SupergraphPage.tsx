import { useQuery } from '../use-query';
import { Load, when } from './parts';

const SUPERGRAPH = `query Supergraph($ref: String!) { variant(ref: $ref) { supergraph { id sdl createdAt } } }`;

export function SupergraphPage({ graphRef }: { graphRef: string }) {
  const state = useQuery<{ variant: { supergraph: { id: string; sdl: string; createdAt: string } | null } | null }>(SUPERGRAPH, { ref: graphRef });
  return (
    <Load state={state}>
      {({ variant }) =>
        !variant?.supergraph ? (
          <p className="muted">Nothing composed yet.</p>
        ) : (
          <>
            <p className="muted">
              Supergraph <code>{variant.supergraph.id}</code>, composed {when(variant.supergraph.createdAt)}: what gateways of {graphRef} run.
            </p>
            <pre className="sdl">{variant.supergraph.sdl}</pre>
          </>
        )
      }
    </Load>
  );
}
