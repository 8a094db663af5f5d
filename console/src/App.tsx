import { useEffect, useState } from 'react';
import { href, useRoute } from './router';
import { forgetKey, signedOutEvent, storedKey } from './session';
import { SignIn } from './views/SignIn';
import { VariantList } from './views/VariantList';
import { VariantPage } from './views/VariantPage';
import { KeysPage } from './views/KeysPage';
import { NotFound } from './views/parts';

export function App() {
  const [key, setKey] = useState(storedKey);
  const route = useRoute();
  useEffect(() => {
    const onSignedOut = () => setKey(null);
    window.addEventListener(signedOutEvent, onSignedOut);
    return () => window.removeEventListener(signedOutEvent, onSignedOut);
  }, []);
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
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: string[] }) {
  const [first, graph, variant, ...rest] = route;
  if (first === undefined) return <VariantList />;
  if (first === 'keys' && route.length === 1) return <KeysPage />;
  if (first === 'variants' && graph && variant) return <VariantPage graph={graph} variant={variant} rest={rest} />;
  return <NotFound />;
}
