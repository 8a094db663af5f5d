import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { eventContractsInput, formatEventContractChanges } from '../event-contracts-input';
import { CHECK_EVENT_CONTRACTS, EventContractsCheckView } from '../operations';
import { formatOption, graphRefArg } from '../options';
import { RegistryClient } from '../registry-client';

export const eventsCheck: Command = {
  noun: 'events',
  verb: 'check',
  summary: 'Check the event contracts against the ones last published to a graph variant',
  usage: [
    'Usage: ficus events check <graph@variant> [--contracts <file>] [--format human|json]',
    '',
    'Compares each event type and version with the last published contracts: a removed or retyped',
    'field, a new required one, or a changed enum in an existing version is breaking; a new version is not.',
    '--contracts reads a file written by `ficus events describe`; without it, the contracts of @ficus/events.',
    'Exit: 0 passed, 1 breaking changes (or the registry cannot be reached or refuses), 2 bad usage.',
    'FICUS_REGISTRY_URL and FICUS_API_KEY (scope check) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { contracts: { type: 'string' }, format: { type: 'string' } });
    const ref = graphRefArg(positionals);
    const format = formatOption(options.format);
    const contracts = await eventContractsInput(options.contracts);
    const { checkEventContracts: check } = await new RegistryClient(io.env).request<{ checkEventContracts: EventContractsCheckView }>(
      CHECK_EVENT_CONTRACTS,
      { input: { ref, contracts } },
      'checkEventContracts',
    );
    const breaking = check.changes.filter((c) => c.severity === 'BREAKING');
    const failure = check.passed
      ? null
      : { message: `event contracts check failed: ${breaking.length} breaking change(s): ${breaking.map((c) => `${c.code} ${c.coordinate}`).join(', ')}`, code: 'CHECK_FAILED' };
    if (format === 'json') {
      writeJson(io, check, failure);
      return failure ? exitCodes.failed : exitCodes.ok;
    }
    if (!check.baseline) {
      io.stdout.write(`No event contracts published to ${ref} yet: nothing to compare ${contracts.length} contract(s) with.\n`);
    } else {
      io.stdout.write(`Compared ${contracts.length} contract(s) with those ${check.baseline.publishedBy} published at ${check.baseline.publishedAt}.\n`);
      io.stdout.write(`${formatEventContractChanges(check.changes)}\n`);
    }
    if (!failure) return exitCodes.ok;
    io.stderr.write(`error: ${failure.message}\n`);
    return exitCodes.failed;
  },
};
