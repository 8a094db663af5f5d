import { Command, exitCodes, parseCommandArgs } from '../command';
import { eventContractsInput, formatEventContractChanges } from '../event-contracts-input';
import { EventContractsPublishView, PUBLISH_EVENT_CONTRACTS } from '../operations';
import { formatOption, graphRefArg } from '../options';
import { RegistryClient } from '../registry-client';

export const eventsPublish: Command = {
  noun: 'events',
  verb: 'publish',
  summary: 'Publish the event contracts to a graph variant; refused if they break the last published ones',
  usage: [
    'Usage: ficus events publish <graph@variant> [--contracts <file>] [--allow-breaking] [--format human|json]',
    '',
    '--allow-breaking publishes even so (retiring an old version once none of its events is left).',
    'Exit: 0 published (or unchanged), 1 refused, 2 bad usage or the registry cannot be reached.',
    'FICUS_REGISTRY_URL and FICUS_API_KEY (scope publish) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      contracts: { type: 'string' },
      'allow-breaking': { type: 'boolean' },
      format: { type: 'string' },
    });
    const ref = graphRefArg(positionals);
    const format = formatOption(options.format);
    const contracts = await eventContractsInput(options.contracts);
    const { publishEventContracts: result } = await new RegistryClient(io.env).request<{ publishEventContracts: EventContractsPublishView }>(
      PUBLISH_EVENT_CONTRACTS,
      { input: { ref, contracts, allowBreaking: options['allow-breaking'] ?? false } },
    );
    if (format === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.changes.length > 0) io.stdout.write(`${formatEventContractChanges(result.changes)}\n`);
    if (!result.published) {
      const breaking = result.changes.filter((c) => c.severity === 'BREAKING');
      io.stderr.write(`error: publish refused: ${breaking.length} breaking change(s) to ${ref}'s event contracts (${breaking.map((c) => c.code).join(', ')}); publish a new version instead, or pass --allow-breaking\n`);
      return exitCodes.failed;
    }
    if (format === 'human') {
      io.stdout.write(result.unchanged ? `Event contracts of ${ref} are unchanged.\n` : `Published ${contracts.length} event contract(s) to ${ref}.\n`);
    }
    return exitCodes.ok;
  },
};
