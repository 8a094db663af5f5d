import fs from 'node:fs/promises';
import type * as Compose from '../../compose';
import type { CompositionMessage } from '../../compose';
import type * as SupergraphConfig from '../../supergraph-config';
import { CliOutput, Command, exitCodes, InputError, parseCommandArgs, UsageError } from '../command';
import { formatHint } from '../format-check';

export const supergraphCompose: Command = {
  noun: 'supergraph',
  verb: 'compose',
  summary: 'Compose the subgraphs named in a supergraph config and print the supergraph SDL',
  usage: [
    'Usage: ficus supergraph compose --config <supergraph.yaml> [--output <file>]',
    '',
    '  --config <file>   rover supergraph config: federation_version and each subgraph routing_url and schema.file',
    '  --output <file>   write the supergraph SDL to this file instead of stdout',
  ].join('\n'),

  async run(args, output) {
    const { values: options } = parseCommandArgs(args, {
      config: { type: 'string' },
      output: { type: 'string' },
    }, { positionals: false });
    if (!options.config) throw new UsageError('--config <supergraph.yaml> is required');

    // Loaded by the one command that composes: every other command starts without composition's 450 modules.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { composeFromConfigFile } = require('../../compose') as typeof Compose;
    const { SupergraphConfigError } = require('../../supergraph-config') as typeof SupergraphConfig;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const outcome = await composeFromConfigFile(options.config).catch((err: unknown) => {
      throw err instanceof SupergraphConfigError ? new InputError(err.message) : err;
    });
    printHints(outcome.hints, output);
    if (!outcome.ok) {
      const count = outcome.errors.length;
      output.stderr.write(`error[COMPOSITION_FAILED]: ${count} composition error${count === 1 ? '' : 's'}\n`);
      for (const error of outcome.errors) output.stderr.write(`  ${error.code}: ${error.message}\n`);
      return exitCodes.failed;
    }

    const sdl = outcome.supergraphSdl.endsWith('\n') ? outcome.supergraphSdl : `${outcome.supergraphSdl}\n`;
    if (options.output) {
      await fs.writeFile(options.output, sdl).catch((err: NodeJS.ErrnoException) => {
        throw new InputError(`cannot write ${options.output}: ${err.code ?? err.message}`);
      });
      output.stderr.write(`wrote the supergraph to ${options.output}\n`);
    } else {
      output.stdout.write(sdl);
    }
    return exitCodes.ok;
  },
};

function printHints(hints: CompositionMessage[], output: CliOutput): void {
  for (const hint of hints) output.stderr.write(`${formatHint(hint)}\n`);
}
