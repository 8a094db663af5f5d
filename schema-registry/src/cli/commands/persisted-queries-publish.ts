import type * as Kit from '@ficus/kit';
import type * as Manifest from '../../domain/persisted-queries/manifest';
import { Command, exitCodes, InputError, parseCommandArgs, UsageError } from '../command';
import { writeJson } from '../json-output';
import { PersistedQueriesPublishView, PUBLISH_PERSISTED_QUERIES } from '../operations';
import { formatOption, graphRefArg, required } from '../options';
import { readTextArg } from '../read-input';
import { RegistryClient } from '../registry-client';

const conflictsShown = 10;

export const persistedQueriesPublish: Command = {
  noun: 'persisted-queries',
  verb: 'publish',
  summary: "Add a persisted query manifest's operations to a graph variant's list (trusted documents)",
  usage: [
    'Usage: ficus persisted-queries publish <graph@variant> --manifest <file|-> [--manifest-format apollo] [--format human|json]',
    '',
    'The manifest is what @apollo/generate-persisted-query-manifest writes. The list only grows: operations',
    'already listed with the same body are identical, and an id already listed with another body refuses the publish.',
    'Exit: 0 published (or unchanged), 1 refused (an id would change its body), an invalid manifest or the registry',
    'cannot be reached or refuses, 2 bad usage. FICUS_REGISTRY_URL and FICUS_API_KEY (scope publish) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      manifest: { type: 'string' },
      'manifest-format': { type: 'string' },
      format: { type: 'string' },
    });
    const ref = graphRefArg(positionals);
    const file = required(options.manifest, '--manifest <file|->');
    const manifestFormat = options['manifest-format'] ?? 'apollo';
    if (manifestFormat !== 'apollo') throw new UsageError(`--manifest-format must be apollo (relay manifests are not supported), not "${manifestFormat}"`);
    const format = formatOption(options.format);
    const manifest = await readTextArg(file, io, 'manifest');
    // Checked here first for a quick answer; the registry checks it again as it would any caller's.
    const operations = checkManifest(manifest, file);

    const { publishPersistedQueries: result } = await new RegistryClient(io.env).request<{ publishPersistedQueries: PersistedQueriesPublishView }>(
      PUBLISH_PERSISTED_QUERIES,
      { input: { ref, manifest } },
      'publishPersistedQueries',
    );
    if (!result.published) {
      const listed = result.conflicts
        .slice(0, conflictsShown)
        .map((c) => `${c.id} (${c.name}${c.publishedName === c.name ? '' : `, listed as ${c.publishedName}`})`)
        .join(', ');
      const more = result.conflicts.length > conflictsShown ? ` and ${result.conflicts.length - conflictsShown} more` : '';
      const message = `publish refused: ${result.conflicts.length} operation id(s) already in ${ref}'s persisted query list with another body: ${listed}${more}; a changed operation needs a new id (the default sha256 ids give it one)`;
      if (format === 'json') writeJson(io, result, { message, code: 'CONFLICT' });
      else io.stderr.write(`error: ${message}\n`);
      return exitCodes.failed;
    }
    if (format === 'json') {
      writeJson(io, result);
    } else {
      const counts = `${result.added} added, ${result.identical} identical; ${result.total} operation(s) in the list`;
      io.stdout.write(
        result.unchanged
          ? `${ref}'s persisted query list is unchanged (revision ${result.revision}): ${operations} operation(s) of the manifest, ${counts}\n`
          : `Published ${file === '-' ? 'the manifest' : file} to ${ref}'s persisted query list (revision ${result.revision}): ${counts}\n`,
      );
    }
    return exitCodes.ok;
  },
};

/** The number of distinct operations in the manifest; an invalid one is an `InputError` (exit 1) naming every problem. */
function checkManifest(text: string, file: string): number {
  // Loaded here, not with the command table: the manifest's checks bring @ficus/kit and graphql.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DomainError } = require('@ficus/kit') as typeof Kit;
  const { parseManifest } = require('../../domain/persisted-queries/manifest') as typeof Manifest;
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    return parseManifest(text).length;
  } catch (err) {
    if (err instanceof DomainError) throw new InputError(`${err.code}: ${file === '-' ? 'stdin' : file}: ${err.message}`, err.code);
    throw err;
  }
}
