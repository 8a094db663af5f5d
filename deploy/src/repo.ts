import fs from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above this file holding lerna.json (from src/ or dist/src/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'lerna.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no lerna.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
