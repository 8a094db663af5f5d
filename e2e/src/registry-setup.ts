import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';

/** The graph variant the launcher publishes to and the gateway serves. */
export const stackGraphRef = 'shop@current';

/** A key for the registry's development bootstrap (REGISTRY_BOOTSTRAP_KEY): new at each start. */
export const newBootstrapKey = (): string => `ficus_${randomBytes(32).toString('base64url')}`;

/**
 * A key for the launcher and its gateway when the bootstrap key is refused (NODE_ENV=production):
 * `ficus key create` against the registry's database, as an operator would run it.
 */
export async function createLauncherKey(root: string, registryEnv: NodeJS.ProcessEnv): Promise<string> {
  const cli = path.join(root, 'schema-registry', 'dist', 'src', 'cli.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, 'key', 'create', '--database', '--name', 'npm start', '--scope', 'publish', '--scope', 'read', '--scope', 'report', '--format', 'json'],
    { env: registryEnv },
  );
  return (JSON.parse(stdout) as { key: string }).key;
}

export interface SubgraphToPublish {
  name: string;
  sdl: string;
  routingUrl: string;
}

/** supergraph.yaml's subgraphs, in its order, with their SDL and a routing URL on the port this stack uses. */
export function subgraphsToPublish(root: string, portOf: (name: string) => number): SubgraphToPublish[] {
  const config = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8')) as {
    subgraphs: Record<string, { schema: { file: string } }>;
  };
  return Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    sdl: fs.readFileSync(path.resolve(root, subgraph.schema.file), 'utf8'),
    routingUrl: `http://127.0.0.1:${portOf(name)}/graphql`,
  }));
}

/**
 * Publishes each subgraph in turn (each publish composes with those before it, so the order of
 * supergraph.yaml must compose at every step); throws naming the composition errors of a refusal.
 */
export async function publishSubgraphs(registryUrl: string, apiKey: string, subgraphs: SubgraphToPublish[]): Promise<string> {
  let supergraphId = '';
  for (const subgraph of subgraphs) {
    const response = await fetch(`${registryUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query: `mutation Publish($input: PublishSubgraphInput!) {
          publishSubgraph(input: $input) { published supergraph { id } compositionErrors { code message } }
        }`,
        variables: { input: { ref: stackGraphRef, ...subgraph } },
      }),
    });
    const body = (await response.json()) as {
      data?: { publishSubgraph: { published: boolean; supergraph: { id: string } | null; compositionErrors: { code: string; message: string }[] } };
      errors?: { message: string }[];
    };
    const result = body.data?.publishSubgraph;
    if (!result) throw new Error(`publishing ${subgraph.name} to the registry failed: ${JSON.stringify(body.errors)}`);
    if (!result.published) {
      const errors = result.compositionErrors.map((e) => `${e.code}: ${e.message}`).join('\n  ');
      throw new Error(`the registry refused ${subgraph.name}: it does not compose:\n  ${errors}`);
    }
    supergraphId = result.supergraph?.id ?? supergraphId;
  }
  return supergraphId;
}
