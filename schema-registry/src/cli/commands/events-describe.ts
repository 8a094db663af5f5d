import { parseArgs } from 'node:util';
import { allContracts, describeEventContracts } from '@ficus/events';
import { Command, exitCodes, parsingArgs } from '../command';

export const eventsDescribe: Command = {
  noun: 'events',
  verb: 'describe',
  summary: 'Print the event contracts of @ficus/events as JSON (type, version, JSON Schema of the data)',
  usage: 'Usage: ficus events describe\n\nThe output is what `ficus events check --contracts <file>` reads.',

  async run(args, io) {
    const { values: options } = parsingArgs(() =>
      parseArgs({ args, strict: true, allowPositionals: false, options: { help: { type: 'boolean', short: 'h' } } }),
    );
    if (options.help) {
      io.stdout.write(`${this.usage}\n`);
      return exitCodes.ok;
    }
    io.stdout.write(`${JSON.stringify(describeEventContracts(allContracts), null, 2)}\n`);
    return exitCodes.ok;
  },
};
