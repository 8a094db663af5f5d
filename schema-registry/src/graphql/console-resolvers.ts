import { unauthenticated } from '@ficus/kit';
import type { ApiKeyRow, CheckRunRow, SubgraphPublicationRow, VariantRow } from '../db/entities';
import { createApiKey, requireScope } from '../domain/api-keys';
import { listApiKeys, revokeApiKey } from '../domain/api-key-admin';
import type { CheckReport } from '../domain/check-subgraph';
import { parseDuration } from '../domain/duration';
import { fieldUsage } from '../domain/field-usage';
import { listVariants, recentCheckRuns, subgraphVersions } from '../domain/history';
import { checkSettingsOf } from '../domain/variants';
import type { RegistryContext } from './context';
import { checkRunView } from './resolvers';

const apiKeyView = (row: ApiKeyRow) => ({ id: row.id, name: row.name, scopes: row.scopes, createdAt: row.createdAt.toISOString() });
const versionView = (row: SubgraphPublicationRow) => ({ ...row, id: String(row.id), publishedAt: row.publishedAt.toISOString() });

/**
 * What the web console reads beyond the CLI's API (console-api.graphql). Variant fields are
 * reached through `variant`/`variants`, which already required the read scope.
 */
export const consoleResolvers = {
  Query: {
    async variants(_: unknown, __: unknown, ctx: RegistryContext) {
      requireScope(ctx.caller, 'read');
      return listVariants(ctx.em);
    },
    viewer(_: unknown, __: unknown, ctx: RegistryContext) {
      // Any scope will do: a client asks to learn whether the key is valid and what it may do.
      if (!ctx.caller.apiKey) throw unauthenticated(ctx.caller.presented ? 'the API key is not valid' : 'an API key is required');
      return apiKeyView(ctx.caller.apiKey);
    },
    async apiKeys(_: unknown, __: unknown, ctx: RegistryContext) {
      requireScope(ctx.caller, 'admin');
      return (await listApiKeys(ctx.em)).map(apiKeyView);
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
      const revoked = await revokeApiKey(ctx.em, id, admin);
      ctx.logger.info({ keyId: revoked.id, name: revoked.name, by: admin.name }, 'API key revoked');
      return apiKeyView(revoked);
    },
  },
  Variant: {
    async subgraphVersions(variant: VariantRow, args: { name: string }, ctx: RegistryContext) {
      return (await subgraphVersions(ctx.em, variant.id, args.name)).map(versionView);
    },
    async checkRuns(variant: VariantRow, args: { limit: number }, ctx: RegistryContext) {
      const runs: CheckRunRow[] = await recentCheckRuns(ctx.em, variant.id, args.limit);
      return runs.map((run) => checkRunView(run.report as CheckReport));
    },
    async fieldUsage(variant: VariantRow, args: { period?: string | null }, ctx: RegistryContext) {
      const seconds = args.period == null ? checkSettingsOf(variant).validationPeriodSeconds : parseDuration(args.period);
      const to = new Date();
      const usage = await fieldUsage(ctx.em, variant.id, new Date(to.getTime() - seconds * 1000), to);
      return { ...usage, from: usage.from.toISOString(), to: usage.to.toISOString() };
    },
  },
};
