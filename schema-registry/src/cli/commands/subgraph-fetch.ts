import { Command, exitCodes, InputError, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { FETCH_SUBGRAPH } from '../operations';
import { formatOption, graphRefArg, required } from '../options';
import { RegistryClient } from '../registry-client';

export const subgraphFetch: Command = {
  noun: 'subgraph',
  verb: 'fetch',
  summary: "Print a subgraph's published SDL",
  usage: 'Usage: ficus subgraph fetch <graph@variant> --name <subgraph> [--format human|json]\n\nFICUS_API_KEY needs the read scope.',

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { name: { type: 'string' }, format: { type: 'string' } });
    const ref = graphRefArg(positionals);
    const name = required(options.name, '--name <subgraph>');
    const format = formatOption(options.format);
    const data = await new RegistryClient(io.env).request<{ variant: { subgraph: { sdl: string } | null } | null }>(FETCH_SUBGRAPH, { ref, name }, 'variant');
    const subgraph = data.variant?.subgraph;
    if (!subgraph) throw new InputError(`no subgraph "${name}" is published to ${ref}`, 'NOT_FOUND');
    if (format === 'json') writeJson(io, subgraph);
    else io.stdout.write(withNewline(subgraph.sdl));
    return exitCodes.ok;
  },
};

export const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
