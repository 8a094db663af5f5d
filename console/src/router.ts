import { useEffect, useState } from 'react';

/**
 * Routes live in the URL's hash (#/variants/shop/current/checks/…): the registry serves one
 * index.html, and every view has a link that can be bookmarked or reloaded.
 */
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

/** The href of a route, each part encoded. */
export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;

/** The href of a view of one variant. */
export const variantHref = (graph: string, variant: string, ...rest: string[]): string => href('variants', graph, variant, ...rest);
