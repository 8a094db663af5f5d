import { Command, exitCodes, InputError, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { FETCH_SUPERGRAPH } from '../operations';
import { formatOption, graphRefArg } from '../options';
import { RegistryClient } from '../registry-client';
import { withNewline } from './subgraph-fetch';

export const supergraphFetch: Command = {
  noun: 'supergraph',
  verb: 'fetch',
  summary: "Print a graph variant's latest composed supergraph SDL",
  usage: 'Usage: ficus supergraph fetch <graph@variant> [--format human|json]\n\nFICUS_API_KEY needs the read scope.',

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const ref = graphRefArg(positionals);
    const format = formatOption(options.format);
    const data = await new RegistryClient(io.env).request<{ variant: { supergraph: { id: string; sdl: string } | null } | null }>(
      FETCH_SUPERGRAPH,
      { ref },
      'variant',
    );
    const supergraph = data.variant?.supergraph;
    if (!supergraph) throw new InputError(`${ref} has no supergraph yet: publish a subgraph to it first`, 'NOT_FOUND');
    if (format === 'json') writeJson(io, supergraph);
    else io.stdout.write(withNewline(supergraph.sdl));
    return exitCodes.ok;
  },
};
