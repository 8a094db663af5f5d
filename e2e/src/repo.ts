import fs from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above this file holding lerna.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'lerna.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no lerna.json above ${from}`);
    dir = parent;
  }
  return dir;
}
