import { useState } from 'react';
import { href, useRoute } from './router';
import { forgetKey, storedKey } from './session';
import { SignIn } from './views/SignIn';
import { VariantList } from './views/VariantList';
import { VariantPage } from './views/VariantPage';
import { KeysPage } from './views/KeysPage';
import { NotFound } from './views/parts';

export function App() {
  const [key, setKey] = useState(storedKey);
  const route = useRoute();
  if (!key) return <SignIn onSignedIn={setKey} />;
  const signOut = () => {
    forgetKey();
    setKey(null);
  };
  return (
    <>
      <header>
        <a className="brand" href={href()}>
          Ficus registry
        </a>
        <nav>
          <a href={href()}>Graphs</a>
          <a href={href('keys')}>Keys</a>
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page route={route} onUnauthenticated={signOut} />
      </main>
    </>
  );
}

function Page({ route, onUnauthenticated }: { route: string[]; onUnauthenticated: () => void }) {
  const [first, graph, variant, ...rest] = route;
  if (first === undefined) return <VariantList onUnauthenticated={onUnauthenticated} />;
  if (first === 'keys' && route.length === 1) return <KeysPage />;
  if (first === 'variants' && graph && variant) return <VariantPage graph={graph} variant={variant} rest={rest} />;
  return <NotFound />;
}
