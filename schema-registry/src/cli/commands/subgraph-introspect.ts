import { Command, exitCodes, InputError, parseCommandArgs, UsageError } from '../command';
import { withNewline } from './subgraph-fetch';

export const subgraphIntrospect: Command = {
  noun: 'subgraph',
  verb: 'introspect',
  summary: "Print a running subgraph's SDL (its _service { sdl })",
  usage: 'Usage: ficus subgraph introspect <url> [--header "Name: value"]...',

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { header: { type: 'string', multiple: true } });
    if (positionals.length !== 1) throw new UsageError('give exactly one subgraph URL');
    const url = positionals[0]!;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const header of options.header ?? []) {
      const at = header.indexOf(':');
      if (at <= 0) throw new UsageError(`--header "${header}" is not "Name: value"`);
      headers[header.slice(0, at).trim().toLowerCase()] = header.slice(at + 1).trim();
    }
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new InputError(`cannot reach the subgraph at ${url}: ${cause}`, 'REGISTRY_UNREACHABLE');
    }
    const body = (await response.json().catch(() => null)) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] } | null;
    const sdl = body?.data?._service?.sdl;
    if (!sdl) {
      const why = body?.errors?.[0]?.message ?? `HTTP ${response.status}`;
      throw new InputError(`${url} did not answer _service { sdl }, is it a federation subgraph? (${why})`, 'REGISTRY_UNREACHABLE');
    }
    io.stdout.write(withNewline(sdl));
    return exitCodes.ok;
  },
};
