import { Command, exitCodes, parseCommandArgs, UsageError } from '../command';
import { writeJson } from '../json-output';
import { ApiKeyView, REVOKE_API_KEY } from '../operations';
import { formatOption } from '../options';
import { RegistryClient } from '../registry-client';

export const keyRevoke: Command = {
  noun: 'key',
  verb: 'revoke',
  summary: 'Revoke a registry API key by its id (ficus key list shows ids)',
  usage: 'Usage: ficus key revoke <key id> [--format human|json]\n\nFICUS_API_KEY needs the admin scope. The key opens nothing from then on.',

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('give exactly one key id (ficus key list shows them)');
    const format = formatOption(options.format);
    const { revokeApiKey } = await new RegistryClient(io.env).request<{ revokeApiKey: ApiKeyView }>(REVOKE_API_KEY, { id: positionals[0] }, 'revokeApiKey');
    if (format === 'json') writeJson(io, { apiKey: revokeApiKey });
    else io.stdout.write(`revoked key "${revokeApiKey.name}" (${revokeApiKey.id})\n`);
    return exitCodes.ok;
  },
};
