import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { ApiKeyView, LIST_API_KEYS } from '../operations';
import { formatOption } from '../options';
import { RegistryClient } from '../registry-client';

export const keyList: Command = {
  noun: 'key',
  verb: 'list',
  summary: "List the registry's API keys, oldest first (never the keys themselves; who made them: ficus audit list)",
  usage: 'Usage: ficus key list [--format human|json]\n\nFICUS_API_KEY needs the admin scope.',

  async run(args, io) {
    const { values: options } = parseCommandArgs(args, { format: { type: 'string' } }, { positionals: false });
    const format = formatOption(options.format);
    const { apiKeys } = await new RegistryClient(io.env).request<{ apiKeys: ApiKeyView[] }>(LIST_API_KEYS, {}, 'apiKeys');
    if (format === 'json') {
      writeJson(io, { apiKeys });
      return exitCodes.ok;
    }
    for (const key of apiKeys) io.stdout.write(`${key.id}  ${key.name}  [${key.scopes.join(', ')}]  created ${key.createdAt}\n`);
    return exitCodes.ok;
  },
};
