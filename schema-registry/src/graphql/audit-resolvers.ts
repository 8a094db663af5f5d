import type { AuditEventRow } from '../db/entities';
import { requireScope } from '../domain/api-keys';
import { listAuditEvents } from '../domain/audit-log';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import type { RegistryContext } from './context';

const auditEventView = (row: AuditEventRow) => ({ ...row, id: String(row.id), at: row.at.toISOString(), details: JSON.stringify(row.details) });

/** The audit log; admin scope. */
export const auditResolvers = {
  Query: {
    async auditLog(_: unknown, args: { ref?: string | null; action?: string | null; limit?: number | null; before?: string | null }, ctx: RegistryContext) {
      requireScope(ctx.caller, 'admin');
      const graphRef = args.ref ? formatGraphRef(parseGraphRef(args.ref)) : null;
      const before = args.before ? Number(args.before) : null;
      return (await listAuditEvents(ctx.em, { graphRef, action: args.action, limit: args.limit, before: Number.isInteger(before) ? before : null })).map(auditEventView);
    },
  },
};
