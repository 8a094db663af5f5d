import { Command, exitCodes, InputError, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { LIST_SUBGRAPHS } from '../operations';
import { formatOption, graphRefArg } from '../options';
import { RegistryClient } from '../registry-client';

interface ListedSubgraph {
  name: string;
  routingUrl: string;
  publishedAt: string;
  publishedBy: string;
}

export const subgraphList: Command = {
  noun: 'subgraph',
  verb: 'list',
  summary: "List a graph variant's subgraphs: name, routing URL, when and by whom last published",
  usage: 'Usage: ficus subgraph list <graph@variant> [--format human|json]\n\nExit: 0 listed, 1 nothing is published to the variant. FICUS_API_KEY needs the read scope.',

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const ref = graphRefArg(positionals);
    const format = formatOption(options.format);
    const data = await new RegistryClient(io.env).request<{ variant: { subgraphs: ListedSubgraph[] } | null }>(LIST_SUBGRAPHS, { ref }, 'variant');
    const subgraphs = data.variant?.subgraphs ?? [];
    if (subgraphs.length === 0) throw new InputError(`nothing is published to ${ref}`, 'NOT_FOUND');
    if (format === 'json') {
      writeJson(io, { subgraphs });
      return exitCodes.ok;
    }
    const rows = [['NAME', 'ROUTING URL', 'LAST PUBLISHED', 'BY'], ...subgraphs.map((s) => [s.name, s.routingUrl, s.publishedAt, s.publishedBy])];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) io.stdout.write(`${row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ')}\n`);
    return exitCodes.ok;
  },
};
