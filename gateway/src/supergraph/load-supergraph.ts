import fs from 'node:fs/promises';
import type { Logger } from '@ficus/kit/service';
import type { SupergraphSource } from '../config';

/** The supergraph cannot be read or does not compose; the gateway does not start. */
export class SupergraphLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupergraphLoadError';
  }
}

/** The supergraph SDL to serve: read as is, or composed from a rover supergraph config. */
export async function loadSupergraphSdl(source: Exclude<SupergraphSource, { kind: 'registry' }>, logger: Logger): Promise<string> {
  if (source.kind === 'file') {
    return fs.readFile(source.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new SupergraphLoadError(`cannot read SUPERGRAPH_FILE ${source.path}: ${err.code ?? err.message}`);
    });
  }
  // Composition (the registry package's) is loaded only for a rover config, never for a registry or a composed file.
  const { composeFromConfigFile } = await import('@ficus/schema-registry');
  const outcome = await composeFromConfigFile(source.path);
  for (const hint of outcome.hints) logger.info({ code: hint.code }, `composition hint: ${hint.message}`);
  if (!outcome.ok) {
    const errors = outcome.errors.map((e) => `  ${e.code}: ${e.message}`).join('\n');
    throw new SupergraphLoadError(`${source.path} does not compose:\n${errors}`);
  }
  return outcome.supergraphSdl;
}
