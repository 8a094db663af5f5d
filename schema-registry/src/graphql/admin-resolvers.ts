import type { ApiKeyRow, AuditEventRow } from '../db/entities';
import { createApiKey, listApiKeys, requireScope, revokeApiKey } from '../domain/api-keys';
import { listAuditEvents } from '../domain/audit-log';
import { formatGraphRef, parseGraphRef } from '../domain/graph-ref';
import type { RegistryContext } from './context';

const apiKeyView = (row: ApiKeyRow) => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  revokedBy: row.revokedBy ?? null,
});

const auditEventView = (row: AuditEventRow) => ({ ...row, id: String(row.id), at: row.at.toISOString(), details: JSON.stringify(row.details) });

/** Keys and the audit log: every field needs the admin scope. */
export const adminResolvers = {
  Query: {
    async apiKeys(_: unknown, _args: unknown, ctx: RegistryContext) {
      requireScope(ctx.caller, 'admin');
      return (await listApiKeys(ctx.em)).map(apiKeyView);
    },
    async auditLog(_: unknown, args: { ref?: string | null; action?: string | null; limit?: number | null; before?: string | null }, ctx: RegistryContext) {
      requireScope(ctx.caller, 'admin');
      const graphRef = args.ref ? formatGraphRef(parseGraphRef(args.ref)) : null;
      const before = args.before ? Number(args.before) : null;
      return (await listAuditEvents(ctx.em, { graphRef, action: args.action, limit: args.limit, before: Number.isInteger(before) ? before : null })).map(auditEventView);
    },
  },
  Mutation: {
    async createApiKey(_: unknown, { input }: { input: { name: string; scopes: string[] } }, ctx: RegistryContext) {
      const admin = requireScope(ctx.caller, 'admin');
      const { key, apiKey } = await createApiKey(ctx.em, input, admin);
      ctx.logger.info({ keyId: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, by: admin.name }, 'API key created');
      return { key, apiKey: apiKeyView(apiKey) };
    },
    async revokeApiKey(_: unknown, { id }: { id: string }, ctx: RegistryContext) {
      const admin = requireScope(ctx.caller, 'admin');
      const apiKey = await revokeApiKey(ctx.em, id, admin);
      ctx.logger.info({ keyId: apiKey.id, name: apiKey.name, by: admin.name }, 'API key revoked');
      return apiKeyView(apiKey);
    },
  },
};
