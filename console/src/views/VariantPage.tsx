import { variantHref } from '../router';
import { CheckPage } from './CheckPage';
import { ChecksPage } from './ChecksPage';
import { DiffPage } from './DiffPage';
import { NotFound } from './parts';
import { SubgraphPage } from './SubgraphPage';
import { SubgraphsPage } from './SubgraphsPage';
import { SupergraphPage } from './SupergraphPage';
import { UsagePage } from './UsagePage';

const tabs = [
  ['', 'Subgraphs'],
  ['supergraph', 'Supergraph'],
  ['checks', 'Checks'],
  ['usage', 'Field usage'],
] as const;

/** One variant's views, with tabs; `rest` is the route after /variants/graph/variant. */
export function VariantPage({ graph, variant, rest }: { graph: string; variant: string; rest: string[] }) {
  const ref = `${graph}@${variant}`;
  const [view = '', a, b, c, d] = rest;
  return (
    <>
      <h1>{ref}</h1>
      <nav className="tabs">
        {tabs.map(([path, label]) => (
          <a key={path} href={path ? variantHref(graph, variant, path) : variantHref(graph, variant)} className={view === path || (path === '' && view === 'subgraphs') ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      {view === '' && <SubgraphsPage graph={graph} variant={variant} />}
      {view === 'subgraphs' && a && !b && <SubgraphPage graph={graph} variant={variant} name={a} />}
      {view === 'subgraphs' && a && b === 'diff' && c && d && <DiffPage graph={graph} variant={variant} name={a} from={c} to={d} />}
      {view === 'supergraph' && <SupergraphPage graphRef={ref} />}
      {view === 'checks' && !a && <ChecksPage graph={graph} variant={variant} />}
      {view === 'checks' && a && <CheckPage graphRef={ref} id={a} />}
      {view === 'usage' && <UsagePage graphRef={ref} />}
      {!['', 'subgraphs', 'supergraph', 'checks', 'usage'].includes(view) && <NotFound />}
    </>
  );
}
