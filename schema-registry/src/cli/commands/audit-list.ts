import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { AUDIT_LOG, AuditEventView } from '../operations';
import { formatOption, numberOption } from '../options';
import { RegistryClient } from '../registry-client';

export const auditList: Command = {
  noun: 'audit',
  verb: 'list',
  summary: 'List who published, checked and changed keys, and when (newest first)',
  usage: [
    'Usage: ficus audit list [--ref <graph@variant>] [--action <action>] [--limit <n>] [--before <id>] [--format human|json]',
    '',
    'Actions: subgraph.publish, subgraph.check, subgraph.delete, persisted_queries.publish, event_contracts.publish,',
    'checks.configure, key.create, key.revoke. FICUS_API_KEY needs the admin scope.',
  ].join('\n'),

  async run(args, io) {
    const { values: options } = parseCommandArgs(
      args,
      { ref: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' }, before: { type: 'string' }, format: { type: 'string' } },
      { positionals: false },
    );
    const format = formatOption(options.format);
    const { auditLog } = await new RegistryClient(io.env).request<{ auditLog: AuditEventView[] }>(
      AUDIT_LOG,
      {
        ref: options.ref ?? null,
        action: options.action ?? null,
        limit: numberOption(options.limit, '--limit') ?? 50,
        before: options.before ?? null,
      },
      'auditLog',
    );
    if (format === 'json') {
      writeJson(io, { events: auditLog.map((e) => ({ ...e, details: JSON.parse(e.details) as unknown })) });
      return exitCodes.ok;
    }
    for (const e of auditLog) {
      const what = [e.graphRef, e.subject].filter(Boolean).join(' ');
      io.stdout.write(`${e.id}  ${e.at}  ${e.actor}  ${e.action}${what ? ` ${what}` : ''}  ${e.outcome}\n`);
    }
    return exitCodes.ok;
  },
};
