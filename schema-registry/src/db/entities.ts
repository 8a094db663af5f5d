import { EntitySchema, Opt } from '@mikro-orm/core';

/** Per-variant defaults for checks; a check's own options override them. */
export interface CheckSettings {
  validationPeriodSeconds: number;
  queryCountThreshold: number;
  queryPercentageThreshold: number;
  /** Client names (`web`) or name@version (`web@1.2.0`) whose operations never fail a check. */
  excludedClients: string[];
  excludedOperationNames: string[];
}

/** A graph variant (`shop@current`), created by its first publish or by configuring its checks. */
export interface VariantRow {
  id: string;
  graph: string;
  name: string;
  /** The stable id of the supergraph gateways should run; null until something composed. */
  latestSupergraphId: string | null;
  checkSettings: Partial<CheckSettings>;
  createdAt: Date;
}

export const Variant = new EntitySchema<VariantRow>({
  name: 'Variant',
  tableName: 'variants',
  properties: {
    id: { type: 'string', primary: true },
    graph: { type: 'string' },
    name: { type: 'string' },
    latestSupergraphId: { type: 'string', nullable: true },
    checkSettings: { type: 'json' },
    createdAt: { type: 'datetime' },
  },
});

/** One published version of one subgraph; the newest per name is the variant's current one. */
export interface SubgraphPublicationRow {
  id: Opt<number>;
  variantId: string;
  name: string;
  sdl: string;
  routingUrl: string;
  publishedByKeyId: string;
  publishedBy: string;
  publishedAt: Date;
  /** The supergraph this publication composed into. */
  supergraphId: string;
}

export const SubgraphPublication = new EntitySchema<SubgraphPublicationRow>({
  name: 'SubgraphPublication',
  tableName: 'subgraph_publications',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    variantId: { type: 'string' },
    name: { type: 'string' },
    sdl: { type: 'text' },
    routingUrl: { type: 'string' },
    publishedByKeyId: { type: 'string' },
    publishedBy: { type: 'string' },
    publishedAt: { type: 'datetime' },
    supergraphId: { type: 'string' },
  },
});

/** A composed supergraph. Its id is the sha256 of its SDL, so the same content keeps the same id. */
export interface SupergraphRow {
  key: Opt<number>;
  variantId: string;
  id: string;
  sdl: string;
  createdAt: Date;
}

export const Supergraph = new EntitySchema<SupergraphRow>({
  name: 'Supergraph',
  tableName: 'supergraphs',
  properties: {
    key: { type: 'integer', primary: true, autoincrement: true },
    variantId: { type: 'string' },
    id: { type: 'string' },
    sdl: { type: 'text' },
    createdAt: { type: 'datetime' },
  },
});

/** One `subgraph check` and its full report. */
export interface CheckRunRow {
  id: string;
  variantId: string;
  subgraphName: string;
  passed: boolean;
  report: object;
  createdBy: string;
  createdAt: Date;
}

export const CheckRun = new EntitySchema<CheckRunRow>({
  name: 'CheckRun',
  tableName: 'check_runs',
  properties: {
    id: { type: 'string', primary: true },
    variantId: { type: 'string' },
    subgraphName: { type: 'string' },
    passed: { type: 'boolean' },
    report: { type: 'json' },
    createdBy: { type: 'string' },
    createdAt: { type: 'datetime' },
  },
});

/** `admin` manages keys (the console's key page, `createApiKey`/`revokeApiKey`, `ficus key`) and reads the audit log; the others are GraphOS's and ours. */
export type Scope = 'publish' | 'check' | 'read' | 'report' | 'admin';
export const scopes: readonly Scope[] = ['publish', 'check', 'read', 'report', 'admin'];

/** An API key; only the sha256 of the key is stored. */
export interface ApiKeyRow {
  id: string;
  name: string;
  keyHash: string;
  scopes: Scope[];
  createdAt: Date;
}

export const ApiKey = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    keyHash: { type: 'string', unique: true },
    scopes: { type: 'json' },
    createdAt: { type: 'datetime' },
  },
});

/** Who did what and when: publishes, checks, key changes, persisted-query and event-contract publishes. */
export interface AuditEventRow {
  id: Opt<number>;
  at: Date;
  /** `subgraph.publish`, `subgraph.check`, `key.create`, … (see `auditActions`). */
  action: string;
  graphRef: string | null;
  /** What it was about: the subgraph's name, the key's name. */
  subject: string | null;
  /** `published`, `unchanged`, `refused`, `passed`, `failed`, `created`, `revoked`. */
  outcome: string;
  actorKeyId: string;
  actor: string;
  details: object;
}

export const AuditEvent = new EntitySchema<AuditEventRow>({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    action: { type: 'string' },
    graphRef: { type: 'string', nullable: true },
    subject: { type: 'string', nullable: true },
    outcome: { type: 'string' },
    actorKeyId: { type: 'string' },
    actor: { type: 'string' },
    details: { type: 'json' },
  },
});

/** One published set of event contracts of a variant; the newest is what checks compare against. */
export interface EventContractPublicationRow {
  id: Opt<number>;
  variantId: string;
  /** `describeEventContracts` output: every event type and version with its JSON Schema. */
  contracts: object[];
  /** sha256 of the canonical contracts, so publishing the same set again records nothing. */
  contentHash: string;
  publishedByKeyId: string;
  publishedBy: string;
  publishedAt: Date;
}

export const EventContractPublication = new EntitySchema<EventContractPublicationRow>({
  name: 'EventContractPublication',
  tableName: 'event_contract_publications',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    variantId: { type: 'string' },
    contracts: { type: 'json' },
    contentHash: { type: 'string' },
    publishedByKeyId: { type: 'string' },
    publishedBy: { type: 'string' },
    publishedAt: { type: 'datetime' },
  },
});

/** One operation of a variant's persisted query list (trusted documents); its body never changes once published. */
export interface PersistedOperationRow {
  variantId: string;
  /** The manifest's id: the sha256 of the body by default, or a custom id. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
  publishedByKeyId: string;
  publishedBy: string;
  publishedAt: Date;
}

export const PersistedOperation = new EntitySchema<PersistedOperationRow>({
  name: 'PersistedOperation',
  tableName: 'persisted_operations',
  properties: {
    variantId: { type: 'string', primary: true },
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    type: { type: 'string' },
    body: { type: 'text' },
    publishedByKeyId: { type: 'string' },
    publishedBy: { type: 'string' },
    publishedAt: { type: 'datetime' },
  },
});

/** A variant's persisted query list as a whole: its revision moves on with each publish that adds operations. */
export interface PersistedQueryListRow {
  variantId: string;
  revision: number;
  operationCount: number;
  /** The total length of the bodies, held under a limit since every gateway keeps the list in memory. */
  bodyChars: number;
  updatedAt: Date;
}

export const PersistedQueryList = new EntitySchema<PersistedQueryListRow>({
  name: 'PersistedQueryList',
  tableName: 'persisted_query_lists',
  properties: {
    variantId: { type: 'string', primary: true },
    revision: { type: 'integer' },
    operationCount: { type: 'integer' },
    bodyChars: { type: 'integer' },
    updatedAt: { type: 'datetime' },
  },
});

export const entities = [Variant, SubgraphPublication, Supergraph, CheckRun, ApiKey, EventContractPublication, PersistedOperation, PersistedQueryList, AuditEvent];
