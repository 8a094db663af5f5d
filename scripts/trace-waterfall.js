// Draws one trace's spans as a waterfall (SVG): a row per span, indented under its parent,
// a bar per span on a shared time axis, coloured by service. The spans are the JSON the
// tracing e2e test writes when FICUS_TRACE_OUTPUT names a file.
//   node scripts/trace-waterfall.js spans.json docs/images/order-trace.svg [--hide-sql]
const fs = require('node:fs');

const [input, output, ...flags] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/trace-waterfall.js <spans.json> <out.svg> [--hide-sql]');
  process.exit(2);
}
const hideSql = flags.includes('--hide-sql');

const colours = {
  'ficus-gateway': '#4e79a7',
  'ficus-orders': '#f28e2b',
  'ficus-inventory': '#59a14f',
  'ficus-payments': '#e15759',
  'ficus-notifications': '#b07aa1',
  'ficus-products': '#76b7b2',
  'ficus-users': '#edc948',
  'ficus-registry': '#9c755f',
};

const isSql = (span) => span.kind === 'client' && /^pg\./.test(span.name);
const all = JSON.parse(fs.readFileSync(input, 'utf8')).map((s) => ({ ...s, start: BigInt(s.startNs), end: BigInt(s.endNs) }));
const ids = new Set(all.map((s) => s.spanId));
const childrenOf = new Map();
for (const span of all) {
  const parent = ids.has(span.parentSpanId) ? span.parentSpanId : '';
  if (!childrenOf.has(parent)) childrenOf.set(parent, []);
  childrenOf.get(parent).push(span);
}
for (const list of childrenOf.values()) list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));

// Depth-first, so each span sits under its parent; hidden SQL spans are counted on their parent's row.
const rows = [];
const visit = (span, depth) => {
  const children = childrenOf.get(span.spanId) ?? [];
  const sql = children.filter(isSql).length;
  rows.push({ span, depth, hiddenSql: hideSql ? sql : 0 });
  for (const child of children) if (!(hideSql && isSql(child))) visit(child, depth + 1);
};
for (const root of childrenOf.get('') ?? []) visit(root, 0);

const t0 = all.reduce((min, s) => (s.start < min ? s.start : min), all[0].start);
const t1 = all.reduce((max, s) => (s.end > max ? s.end : max), all[0].end);
const totalMs = Number(t1 - t0) / 1e6;
const ms = (ns) => Number(ns - t0) / 1e6;

const rowHeight = 20;
const labelWidth = 590;
const chartWidth = 700;
const top = 56;
const width = labelWidth + chartWidth + 90;
const height = top + rows.length * rowHeight + 50;
const x = (at) => labelWidth + (at / totalMs) * chartWidth;
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const parts = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans Mono, Menlo, monospace" font-size="11">`);
parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
parts.push(`<text x="10" y="20" font-size="13" font-weight="bold">One PlaceOrder trace: ${rows.length} spans shown, ${totalMs.toFixed(0)} ms from the gateway's request to the last saga step</text>`);
// Time axis: a gridline every step that gives about eight.
const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((s) => totalMs / s <= 8) ?? 1000;
for (let at = 0; at <= totalMs; at += step) {
  parts.push(`<line x1="${x(at)}" y1="${top - 6}" x2="${x(at)}" y2="${top + rows.length * rowHeight}" stroke="#e6e6e6"/>`);
  parts.push(`<text x="${x(at)}" y="${top - 10}" text-anchor="middle" fill="#666">${at} ms</text>`);
}
rows.forEach(({ span, depth, hiddenSql }, i) => {
  const y = top + i * rowHeight;
  const colour = colours[span.service] ?? '#888';
  if (i % 2 === 1) parts.push(`<rect x="0" y="${y}" width="${width}" height="${rowHeight}" fill="#f7f7f7"/>`);
  const service = span.service.replace(/^ficus-/, '');
  const suffix = hiddenSql ? ` (+${hiddenSql} SQL)` : '';
  parts.push(`<text x="${10 + depth * 12}" y="${y + 14}"><tspan fill="${colour}" font-weight="bold">${escape(service)}</tspan><tspan dx="7">${escape(span.name)}</tspan><tspan dx="7" fill="#999">${span.kind}${escape(suffix)}</tspan></text>`);
  const start = x(ms(span.start));
  const barWidth = Math.max(1.5, x(ms(span.end)) - start);
  const failed = span.status?.code === 2;
  parts.push(`<rect x="${start}" y="${y + 4}" width="${barWidth}" height="${rowHeight - 8}" rx="2" fill="${colour}"${failed ? ' stroke="#d00" stroke-width="2"' : ''}/>`);
  parts.push(`<text x="${start + barWidth + 4}" y="${y + 14}" fill="#555">${(Number(span.end - span.start) / 1e6).toFixed(1)} ms</text>`);
});
const legendY = top + rows.length * rowHeight + 28;
let legendX = 10;
for (const service of [...new Set(rows.map((r) => r.span.service))]) {
  parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${colours[service] ?? '#888'}"/>`);
  parts.push(`<text x="${legendX + 16}" y="${legendY}">${escape(service)}</text>`);
  legendX += 30 + service.length * 7;
}
parts.push('</svg>');
fs.writeFileSync(output, parts.join('\n') + '\n');
console.log(`${output}: ${rows.length} spans, ${totalMs.toFixed(1)} ms`);
