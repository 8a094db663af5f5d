import type { CheckRunView, CompositionMessageView } from './operations';

/** A check report for people: what changed, what blocks and why, which clients would break. */
export function formatCheck(run: CheckRunView): string {
  const lines = [`Checked subgraph "${run.subgraph}" against ${run.graphRef}: ${run.passed ? 'PASSED' : 'FAILED'} (check ${run.id})`];
  if (run.compositionErrors.length > 0) {
    lines.push('', `Composition errors (${run.compositionErrors.length}):`);
    for (const error of run.compositionErrors) lines.push(`  ${formatCompositionMessage(error)}`);
  }
  if (run.usage) {
    const u = run.usage;
    const exclusions = [...u.excludedClients.map((c) => `client ${c}`), ...u.excludedOperationNames.map((o) => `operation ${o}`)];
    lines.push(
      '',
      `Usage: ${u.totalRequests} requests in the last ${u.validationPeriod} (${u.from} to ${u.to}); ` +
        `an operation counts from ${u.queryCountThreshold} requests and ${u.queryPercentageThreshold}%` +
        (exclusions.length > 0 ? `; excluded: ${exclusions.join(', ')}` : ''),
    );
  }
  if (run.compositionErrors.length === 0) {
    lines.push('', run.changes.length === 0 ? 'No changes to the API schema.' : `Changes to the API schema (${run.changes.length}):`);
  }
  for (const change of run.changes) {
    const mark = change.blocking ? '✗' : change.severity === 'SAFE' ? '✓' : '!';
    lines.push(`  ${mark} ${change.severity.padEnd(9)} ${change.code.padEnd(36)} ${change.coordinate.padEnd(28)} ${change.message}`);
    if (change.severity !== 'BREAKING') continue;
    if (change.affectedOperations.length > 0) {
      for (const op of change.affectedOperations) {
        const clients = op.clients.map((c) => `${c.name || '(unknown client)'} ${c.version || '(unknown version)'}: ${c.count}`).join(', ');
        lines.push(`      used by operation ${operationName(op)} (${op.count} requests; ${clients})`);
      }
    } else if (change.blocking) {
      lines.push('      no usage recorded in the window, so nothing shows it is safe');
    } else {
      lines.push('      no operation in the window uses it');
    }
  }
  return lines.join('\n');
}

/** One line for the end of a failed check, the reason CI shows. */
export function failureReason(run: CheckRunView): string {
  if (run.compositionErrors.length > 0) {
    return `check failed: ${run.compositionErrors.length} composition error(s) (${run.compositionErrors.map((e) => e.code).join(', ')})`;
  }
  const blocking = run.changes.filter((c) => c.blocking);
  const described = blocking.map((c) => `${c.code} ${c.coordinate} (${usedBy(c.affectedOperations)})`);
  return `check failed: ${blocking.length} breaking change(s): ${described.join(', ')}`;
}

type AffectedOperation = CheckRunView['changes'][number]['affectedOperations'][number];

/** Operations named on the failure line; the report above it lists them all (a change can break thousands). */
const operationsNamedPerChange = 3;

/** An operation without a name by the start of its signature's hash, as rover shows it, so two read apart. */
const operationName = (op: AffectedOperation): string => op.name ?? `(anonymous ${op.signatureHash.slice(0, 12)})`;

function usedBy(operations: AffectedOperation[]): string {
  if (operations.length === 0) return 'no usage recorded';
  const named = operations.slice(0, operationsNamedPerChange).map((op) => {
    const clients = op.clients.map((c) => `${c.name || '(unknown client)'} ${c.version}`.trim());
    return `${operationName(op)}${clients.length > 0 ? ` by ${clients.join(', ')}` : ''}`;
  });
  const more = operations.length - named.length;
  return `used by ${named.join('; ')}${more > 0 ? `; and ${more} more operation${more === 1 ? '' : 's'}` : ''}`;
}

export function formatCompositionMessage(message: CompositionMessageView): string {
  return `${message.code}: ${message.message}${whereOf(message)}`;
}

/** A composition hint as rover prints one, with where it is when composition says. */
export function formatHint(hint: CompositionMessageView): string {
  return `hint[${hint.code}]: ${hint.message}${whereOf(hint)}`;
}

/** Where composition says the message is; nothing when the message already says it (a syntax error names its place). */
function whereOf(message: CompositionMessageView): string {
  const where = message.locations.map((l) => `${l.subgraph}:${l.line}:${l.column}`).join(', ');
  return where && !message.message.endsWith(`(${where})`) ? ` (${where})` : '';
}
