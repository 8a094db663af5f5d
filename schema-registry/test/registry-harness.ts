import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';
import { parse, TypeInfo, visit, visitWithTypeInfo, GraphQLSchema, getNamedType, isObjectType, isInterfaceType } from 'graphql';
import { build, readRegistryConfig, RegistryHandle } from '../src';
import { Scope } from '../src/db/entities';
import { createApiKey } from '../src/domain/api-keys';

const repo = path.resolve(__dirname, '../..');

/** A subgraph's SDL as the repository has it. */
export const repoSchema = (name: string): string => fs.readFileSync(path.join(repo, 'subgraphs', name, 'schema.graphql'), 'utf8');

/** One operation of contract/operations, by name, as a client sends it. */
export function contractOperation(name: string): string {
  const folder = path.join(repo, 'contract/operations');
  for (const file of fs.readdirSync(folder)) {
    const document = parse(fs.readFileSync(path.join(folder, file), 'utf8'));
    const found = document.definitions.find((d) => d.kind === 'OperationDefinition' && d.name?.value === name);
    if (found) return found.loc!.source.body.slice(found.loc!.start, found.loc!.end);
  }
  throw new Error(`no operation ${name} in contract/operations`);
}

/** The `Type.field` coordinates an operation touches, as a gateway's usage reporter would report them. */
export function coordinatesOf(operation: string, schema: GraphQLSchema): string[] {
  const typeInfo = new TypeInfo(schema);
  const coordinates = new Set<string>();
  visit(
    parse(operation),
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field && (isObjectType(getNamedType(parent)) || isInterfaceType(getNamedType(parent)))) {
          coordinates.add(`${parent.name}.${field.name}`);
        }
      },
    }),
  );
  return [...coordinates].filter((c) => !c.includes('.__')).sort();
}

export interface TestRegistry {
  registry: RegistryHandle;
  db: TestDatabase;
  /** A key with every scope, and one per scope. */
  keys: { all: string } & Record<Scope, string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>;
  stop(): Promise<void>;
}

/**
 * A real registry on port 0 over a database of its own (or `existing`, which it then drops on
 * stop), with keys for each scope; `env` adds registry variables.
 */
export async function startTestRegistry(kind: 'sqlite' | 'postgres', label: string, env: Record<string, string> = {}, existing?: TestDatabase): Promise<TestRegistry> {
  const db = existing ?? (await createTestDatabase(kind, label));
  const config = readRegistryConfig({ LOG_LEVEL: 'warn', PORT: '0', ...env });
  const registry = await build({ ...config, database: db.target, longPollMaxSeconds: 20 });
  const make = async (name: string, scopes: Scope[]) => (await createApiKey(registry.orm.em.fork(), { name, scopes })).key;
  const keys = {
    all: await make('ci-all', ['publish', 'check', 'read', 'report']),
    publish: await make('ci-publish', ['publish']),
    check: await make('ci-check', ['check']),
    read: await make('ci-read', ['read']),
    report: await make('gateway', ['report']),
    admin: await make('ci-admin', ['admin']),
  };
  return {
    registry,
    db,
    keys,
    async gql(query, variables = {}, key = keys.all) {
      const response = await fetch(registry.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as any;
    },
    async stop() {
      await registry.stop();
      await db.drop();
    },
  };
}

export const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishSubgraphInput!) {
    publishSubgraph(input: $input) {
      published unchanged
      subgraph { name routingUrl publishedBy publishedAt }
      supergraph { id }
      compositionErrors { code message locations { subgraph line column } }
    }
  }
`;

export const CHECK = /* GraphQL */ `
  mutation Check($input: CheckSubgraphInput!) {
    checkSubgraph(input: $input) {
      id passed createdBy
      compositionErrors { code message locations { subgraph line column } }
      changes { code severity coordinate blocking affectedOperations { name count clients { name version count } } }
      usage { totalRequests validationPeriod queryCountThreshold queryPercentageThreshold excludedClients excludedOperationNames }
    }
  }
`;

/** Publishes and fails the test unless it published. */
export async function publish(registry: TestRegistry, ref: string, name: string, sdl: string, routingUrl = `http://127.0.0.1:4999/${name}`) {
  const res = await registry.gql(PUBLISH, { input: { ref, name, sdl, routingUrl } });
  if (res.errors || !res.data.publishSubgraph.published) throw new Error(`publish of ${name} failed: ${JSON.stringify(res)}`);
  return res.data.publishSubgraph as { supergraph: { id: string }; unchanged: boolean };
}

/** Sends one usage batch as a gateway would. */
export async function reportUsage(
  registry: TestRegistry,
  graphRef: string,
  operations: { signature: string; operationName: string | null; clientName: string; clientVersion: string; coordinates: string[]; count: number }[],
  at: Date = new Date(),
  key: string | null = registry.keys.report,
): Promise<Response> {
  return fetch(`${registry.registry.baseUrl}/api/usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ graphRef, window: { start: at.toISOString(), end: new Date(at.getTime() + 60_000).toISOString() }, operations }),
  });
}

/** The products SDL without `Product.sku` (the input field of the same name stays). */
export const productsWithoutSku = (): string => repoSchema('products').replace(/^type Product @key\(fields: "id"\) \{\n  id: ID!\n  sku: String!\n/m, 'type Product @key(fields: "id") {\n  id: ID!\n');
