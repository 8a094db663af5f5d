import fs from 'node:fs';
import path from 'node:path';
import express, { Express } from 'express';
import { consoleDir } from '@ficus/console';

/**
 * `GET /console/`: the web console, static files built by @ficus/console. Its asset names carry
 * a content hash, so they are cached for good; index.html is revalidated so a new build shows at once.
 */
export function consoleRoute(app: Express, dir: string = consoleDir): void {
  const securityHeaders = (res: express.Response) => {
    // The console loads only its own files and talks only to this registry.
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    app.use('/console', (_req, res) => {
      res.status(404).type('text/plain').send('the console is not built: run `npm run build`\n');
    });
    return;
  }
  // A file it does not have falls through to the registry's 404, which names the path asked for
  // (serve-static's own error named the file's path on disk).
  app.use('/console/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', setHeaders: securityHeaders }));
  app.use('/console', express.static(dir, { index: 'index.html', maxAge: 0, setHeaders: securityHeaders }));
}
