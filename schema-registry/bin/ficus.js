#!/usr/bin/env node
// A committed entry point, so that `npm ci` links `ficus` before the first build.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '../dist/src/cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('error: ficus is not built yet: run `npm run build` at the repository root\n');
  process.exit(2);
}
require(cli);
