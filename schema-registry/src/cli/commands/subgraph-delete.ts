import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeCompositionAnswer } from '../composition-answer';
import { DELETE_SUBGRAPH, DeleteResultView } from '../operations';
import { formatOption, graphRefArg, required } from '../options';
import { RegistryClient } from '../registry-client';

export const subgraphDelete: Command = {
  noun: 'subgraph',
  verb: 'delete',
  summary: 'Take a subgraph out of a graph variant; refused if the others would not compose without it',
  usage: [
    'Usage: ficus subgraph delete <graph@variant> --name <subgraph> [--dry-run] [--format human|json]',
    '',
    '--dry-run composes the variant without the subgraph and changes nothing.',
    'Exit: 0 deleted (or, with --dry-run, it would compose), 1 refused (the others do not compose without it, it is the',
    'only subgraph, or it is not published) or the registry cannot be reached or refuses, 2 bad usage.',
    'FICUS_REGISTRY_URL and FICUS_API_KEY (scope publish) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      name: { type: 'string' },
      'dry-run': { type: 'boolean' },
      format: { type: 'string' },
    });
    const ref = graphRefArg(positionals);
    const name = required(options.name, '--name <subgraph>');
    const format = formatOption(options.format);
    const dryRun = options['dry-run'] === true;

    const { deleteSubgraph: result } = await new RegistryClient(io.env).request<{ deleteSubgraph: DeleteResultView }>(
      DELETE_SUBGRAPH,
      { input: { ref, name, dryRun } },
      'deleteSubgraph',
    );
    const failure = result.compositionErrors.length > 0
      ? { message: `${dryRun ? '' : 'delete refused: '}${ref} does not compose without "${name}" (${result.compositionErrors.map((e) => e.code).join(', ')})`, code: 'COMPOSITION_FAILED' }
      : null;
    const done = writeCompositionAnswer(io, format, { data: result, hints: result.hints, errors: result.compositionErrors }, failure);
    if (done !== null) return done;
    io.stdout.write(
      dryRun
        ? `${ref} composes without subgraph "${name}"; nothing was changed (--dry-run)\n`
        : `Deleted subgraph "${name}" from ${ref}; supergraph ${result.supergraph!.id}\n`,
    );
    return exitCodes.ok;
  },
};
