import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeCompositionAnswer } from '../composition-answer';
import { PUBLISH_SUBGRAPH, PublishResultView } from '../operations';
import { formatOption, graphRefArg, required } from '../options';
import { readSchemaArg } from '../read-input';
import { RegistryClient } from '../registry-client';

export const subgraphPublish: Command = {
  noun: 'subgraph',
  verb: 'publish',
  summary: 'Publish a subgraph schema to a graph variant; refused if the variant would not compose',
  usage: [
    'Usage: ficus subgraph publish <graph@variant> --name <subgraph> --schema <file|-> --routing-url <url> [--format human|json]',
    '',
    'Exit: 0 published (or unchanged), 1 refused (does not compose) or the registry cannot be reached or refuses, 2 bad usage.',
    'FICUS_REGISTRY_URL and FICUS_API_KEY (scope publish) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      name: { type: 'string' },
      schema: { type: 'string' },
      'routing-url': { type: 'string' },
      format: { type: 'string' },
    });
    const ref = graphRefArg(positionals);
    const name = required(options.name, '--name <subgraph>');
    const schema = required(options.schema, '--schema <file|->');
    const routingUrl = required(options['routing-url'], '--routing-url <url>');
    const format = formatOption(options.format);
    const input = { ref, name, routingUrl, sdl: await readSchemaArg(schema, io) };

    const { publishSubgraph: result } = await new RegistryClient(io.env).request<{ publishSubgraph: PublishResultView }>(
      PUBLISH_SUBGRAPH,
      { input },
      'publishSubgraph',
    );
    const failure = result.published
      ? null
      : { message: `publish refused: ${ref} does not compose with this "${name}" (${result.compositionErrors.map((e) => e.code).join(', ')})`, code: 'COMPOSITION_FAILED' };
    const done = writeCompositionAnswer(io, format, { data: result, hints: result.hints, errors: result.compositionErrors }, failure);
    if (done !== null) return done;
    io.stdout.write(
      result.unchanged
        ? `Subgraph "${name}" in ${ref} is unchanged; supergraph ${result.supergraph!.id}\n`
        : `Published subgraph "${name}" to ${ref} as ${result.subgraph!.publishedBy}; supergraph ${result.supergraph!.id}\n`,
    );
    return exitCodes.ok;
  },
};
