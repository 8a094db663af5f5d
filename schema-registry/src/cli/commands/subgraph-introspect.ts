import { Command, exitCodes, InputError, parseCommandArgs, UsageError } from '../command';
import { clientTimeoutMs, postJson } from '../post-json';
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
    const headers: Record<string, string> = {};
    for (const header of options.header ?? []) {
      const at = header.indexOf(':');
      if (at <= 0) throw new UsageError(`--header "${header}" is not "Name: value"`);
      headers[header.slice(0, at).trim().toLowerCase()] = header.slice(at + 1).trim();
    }
    const { status, body } = await postJson(url, { query: '{ _service { sdl } }' }, headers, clientTimeoutMs(io.env), `the subgraph at ${url}`);
    const answer = body as { data?: { _service?: { sdl?: unknown } }; errors?: { message?: unknown }[] } | null;
    const sdl = answer?.data?._service?.sdl;
    if (typeof sdl !== 'string' || sdl === '') {
      const message = answer?.errors?.[0]?.message;
      const why = typeof message === 'string' ? message : `HTTP ${status}`;
      throw new InputError(`${url} did not answer _service { sdl }, is it a federation subgraph? (${why})`, 'REGISTRY_UNREACHABLE');
    }
    io.stdout.write(withNewline(sdl));
    return exitCodes.ok;
  },
};
