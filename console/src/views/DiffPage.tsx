import { diffLines } from 'diff';
import { variantHref } from '../router';
import { useQuery } from '../use-query';
import { Load, when } from './parts';

const VERSIONS = `query Versions($ref: String!, $name: String!) {
  variant(ref: $ref) { subgraphVersions(name: $name) { id sdl publishedAt publishedBy } }
}`;

interface Version {
  id: string;
  sdl: string;
  publishedAt: string;
  publishedBy: string;
}

/** The line diff of two versions' SDL, older on the left of the comparison. */
export function DiffPage({ graph, variant, name, from, to }: { graph: string; variant: string; name: string; from: string; to: string }) {
  const state = useQuery<{ variant: { subgraphVersions: Version[] } | null }>(VERSIONS, { ref: `${graph}@${variant}`, name });
  return (
    <>
      <h2>
        SDL diff of <a href={variantHref(graph, variant, 'subgraphs', name)}>{name}</a>
      </h2>
      <Load state={state}>
        {({ variant: found }) => {
          const versions = found?.subgraphVersions ?? [];
          const a = versions.find((v) => v.id === from);
          const b = versions.find((v) => v.id === to);
          if (!a || !b) return <p className="muted">No such versions.</p>;
          // Versions come newest first; v1 is the first publish.
          const label = (v: Version) => `v${versions.length - versions.indexOf(v)} (#${v.id})`;
          const parts = diffLines(a.sdl, b.sdl);
          const added = parts.filter((p) => p.added).reduce((n, p) => n + (p.count ?? 0), 0);
          const removed = parts.filter((p) => p.removed).reduce((n, p) => n + (p.count ?? 0), 0);
          return (
            <>
              <p className="muted">
                {label(a)} by {a.publishedBy}, {when(a.publishedAt)} → {label(b)} by {b.publishedBy}, {when(b.publishedAt)}:{' '}
                <span className="added-count">+{added}</span> <span className="removed-count">−{removed}</span> lines
              </p>
              <pre className="diff" aria-label="SDL diff">
                {parts.flatMap((part, i) =>
                  part.value
                    .replace(/\n$/, '')
                    .split('\n')
                    .map((line, j) => (
                      <div key={`${i}-${j}`} className={part.added ? 'line added' : part.removed ? 'line removed' : 'line'}>
                        {part.added ? '+ ' : part.removed ? '- ' : '  '}
                        {line}
                      </div>
                    )),
                )}
              </pre>
            </>
          );
        }}
      </Load>
    </>
  );
}
