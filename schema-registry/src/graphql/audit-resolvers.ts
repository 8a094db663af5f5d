import { badInput } from '@ficus/kit';
import type { AuditEventRow } from '../db/entities';
import { requireScope } from '../domain/api-keys';
import { listAuditEvents } from '../domain/audit-log';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import type { RegistryContext } from './context';

const auditEventView = (row: AuditEventRow) => ({ ...row, id: String(row.id), at: row.at.toISOString(), details: JSON.stringify(row.details) });

/** An entry's id as `AuditEvent.id` gives it (digits); anything else would page from nowhere, so it is refused. */
function entryId(before: string | null | undefined): number | null {
  if (before === null || before === undefined) return null;
  const id = /^[1-9][0-9]{0,14}$/.test(before) ? Number(before) : NaN;
  if (!Number.isSafeInteger(id)) throw badInput(`before must be the id of an audit log entry (a whole number from 1), not ${JSON.stringify(before.slice(0, 40))}`);
  return id;
}

/** The audit log; admin scope. */
export const auditResolvers = {
  Query: {
    async auditLog(_: unknown, args: { ref?: string | null; action?: string | null; limit?: number | null; before?: string | null }, ctx: RegistryContext) {
      requireScope(ctx.caller, 'admin');
      const graphRef = args.ref ? formatGraphRef(parseGraphRef(args.ref)) : null;
      return (await listAuditEvents(ctx.em, { graphRef, action: args.action, limit: args.limit, before: entryId(args.before) })).map(auditEventView);
    },
  },
};
