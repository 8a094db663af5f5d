import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { readTextWithin } from './read-text';

/** One subgraph named in a supergraph config, with its SDL already read. */
export interface SubgraphSource {
  name: string;
  routingUrl: string;
  /** Where the SDL came from, for messages: the schema file's path, or "inline sdl". */
  origin: string;
  sdl: string;
}

export interface SupergraphConfig {
  /** As written in the file: `2` or an exact `=2.x.y`. */
  federationVersion: string;
  subgraphs: SubgraphSource[];
}

/** The config file is missing, is not YAML, or breaks rover's format; the message names the bad key. */
export class SupergraphConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupergraphConfigError';
  }
}

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

// rover's format; keys rover knows and Ficus does not use (introspection_headers, …) are ignored.
const schemaSource = z
  .object({
    file: z.string({ error: required('a file path') }).min(1, 'must be a file path').optional(),
    sdl: z.string({ error: required('a GraphQL SDL string') }).min(1, 'must not be empty').optional(),
    subgraph_url: z.unknown().optional(),
    graphref: z.unknown().optional(),
  })
  .superRefine((source, ctx) => {
    if (source.subgraph_url !== undefined || source.graphref !== undefined) {
      const key = source.subgraph_url !== undefined ? 'subgraph_url' : 'graphref';
      ctx.addIssue({ code: 'custom', path: [key], message: 'is not supported yet: use schema.file or schema.sdl' });
    } else if ((source.file === undefined) === (source.sdl === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of file or sdl' });
    }
  });

const configFile = z.object({
  federation_version: z
    .union([z.string(), z.number()], { error: required('2 or =2.x.y') })
    .transform(String)
    .pipe(z.string().regex(/^(2|=2\.\d+\.\d+)$/, 'must be 2 or =2.x.y (federation 1 is not supported)'))
    .default('2'),
  subgraphs: z
    .record(
      z.string().regex(/^[A-Za-z][\w-]*$/, 'subgraph names are letters, digits, _ and -'),
      z.object(
        {
          routing_url: z.url({ protocol: /^https?$/, error: required('an http(s) URL') }),
          schema: schemaSource,
        },
        { error: required('a mapping with routing_url and schema') },
      ),
      { error: required('a mapping of subgraph names') },
    )
    .refine((subgraphs) => Object.keys(subgraphs).length > 0, 'must name at least one subgraph'),
});

/** Reads a rover `supergraph.yaml`; schema files are resolved from the folder of the yaml. */
export async function readSupergraphConfig(configPath: string): Promise<SupergraphConfig> {
  const text = await readTextWithin(configPath).catch((err: NodeJS.ErrnoException) => {
    throw new SupergraphConfigError(`cannot read supergraph config ${configPath}: ${err.code ?? err.message}`);
  });
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new SupergraphConfigError(`${configPath} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = configFile.safeParse(document ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new SupergraphConfigError(`${configPath} is not a valid supergraph config:\n${problems.join('\n')}`);
  }

  const folder = path.dirname(path.resolve(configPath));
  const subgraphs = await Promise.all(
    Object.entries(parsed.data.subgraphs).map(async ([name, entry]): Promise<SubgraphSource> => {
      if (entry.schema.sdl !== undefined) {
        return { name, routingUrl: entry.routing_url, origin: 'inline sdl', sdl: entry.schema.sdl };
      }
      const file = path.resolve(folder, entry.schema.file as string);
      const sdl = await readTextWithin(file).catch((err: NodeJS.ErrnoException) => {
        throw new SupergraphConfigError(
          `${configPath}: subgraphs.${name}.schema.file: cannot read ${file}: ${err.code ?? err.message}`,
        );
      });
      return { name, routingUrl: entry.routing_url, origin: file, sdl };
    }),
  );
  return { federationVersion: parsed.data.federation_version, subgraphs };
}
