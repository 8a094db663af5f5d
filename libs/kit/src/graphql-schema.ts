import fs from 'node:fs';
import path from 'node:path';
import { parse, DocumentNode } from 'graphql';

/**
 * Loads a package's `schema.graphql` from the nearest folder above `fromDir` that has one,
 * so the same code works from `src/` (tests) and from `dist/src/` (built).
 */
export function loadSchemaFile(fromDir: string, fileName = 'schema.graphql'): DocumentNode {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, fileName);
    if (fs.existsSync(candidate)) return parse(fs.readFileSync(candidate, 'utf8'));
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no ${fileName} above ${fromDir}`);
    dir = parent;
  }
}
