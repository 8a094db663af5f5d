import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
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
    'Exit: 0 published (or unchanged), 1 refused (or the registry cannot be reached or refuses), 2 bad usage.',
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
      'publishEventContracts',
    );
    const breaking = result.changes.filter((c) => c.severity === 'BREAKING');
    const failure = result.published
      ? null
      : {
          message: `publish refused: ${breaking.length} breaking change(s) to ${ref}'s event contracts (${breaking.map((c) => c.code).join(', ')}); publish a new version instead, or pass --allow-breaking`,
          code: 'BREAKING_CHANGE',
        };
    if (format === 'json') {
      writeJson(io, result, failure);
      return failure ? exitCodes.failed : exitCodes.ok;
    }
    if (result.changes.length > 0) io.stdout.write(`${formatEventContractChanges(result.changes)}\n`);
    if (failure) {
      io.stderr.write(`error: ${failure.message}\n`);
      return exitCodes.failed;
    }
    io.stdout.write(result.unchanged ? `Event contracts of ${ref} are unchanged.\n` : `Published ${contracts.length} event contract(s) to ${ref}.\n`);
    return exitCodes.ok;
  },
};
