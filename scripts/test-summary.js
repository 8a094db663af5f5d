// Prints one line with the test counts of every package `npm test` ran.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '.test-results');
const results = fs.existsSync(dir)
  ? fs.readdirSync(dir).map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))
  : [];
const total = (key) => results.reduce((sum, r) => sum + r[key], 0);
for (const r of results) console.log(`  ${r.package.padEnd(22)} ${r.passed} passed, ${r.failed} failed`);
console.log(`tests: ${total('passed')} passed, ${total('failed')} failed`);
process.exit(total('failed') > 0 || results.length === 0 ? 1 : 0);
