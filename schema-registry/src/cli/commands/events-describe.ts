import { Command, exitCodes, parseCommandArgs } from '../command';
import { catalogContracts } from '../event-contracts-input';

export const eventsDescribe: Command = {
  noun: 'events',
  verb: 'describe',
  summary: 'Print the event contracts of @ficus/events as JSON (type, version, JSON Schema of the data)',
  usage: 'Usage: ficus events describe\n\nThe output is what `ficus events check --contracts <file>` reads.',

  async run(args, io) {
    parseCommandArgs(args, {}, { positionals: false });
    io.stdout.write(`${JSON.stringify(catalogContracts(), null, 2)}\n`);
    return exitCodes.ok;
  },
};
