import { Command, exitCodes, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { failureReason, formatCheck } from '../format-check';
import { CHECK_SUBGRAPH, CheckRunView } from '../operations';
import { formatOption, graphRefArg, numberOption, required } from '../options';
import { readSchemaArg } from '../read-input';
import { RegistryClient } from '../registry-client';

export const subgraphCheck: Command = {
  noun: 'subgraph',
  verb: 'check',
  summary: 'Check a subgraph schema against a graph variant: composition, changes, client usage',
  usage: [
    'Usage: ficus subgraph check <graph@variant> --name <subgraph> --schema <file|-> [options]',
    '',
    '  --name <subgraph>                    the subgraph the schema is for',
    '  --schema <file|->                    the proposed SDL; - reads stdin',
    '  --validation-period <7d|24h|3600s>   how far back usage counts (default: the variant setting, 7d)',
    '  --query-count-threshold <n>          an operation counts from n requests in the window',
    '  --query-percentage-threshold <p>     an operation counts from p% of all requests in the window',
    '  --exclude-client <name[@version]>    its operations never fail the check (repeatable)',
    '  --exclude-operation <name>           never fails the check (repeatable)',
    '  --format <human|json>                output (default human)',
    '',
    'Exit: 0 passed, 1 failed (or the registry cannot be reached or refuses), 2 bad usage.',
    'FICUS_REGISTRY_URL (default http://127.0.0.1:4100) and FICUS_API_KEY (scope check) configure the registry.',
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      name: { type: 'string' },
      schema: { type: 'string' },
      'validation-period': { type: 'string' },
      'query-count-threshold': { type: 'string' },
      'query-percentage-threshold': { type: 'string' },
      'exclude-client': { type: 'string', multiple: true },
      'exclude-operation': { type: 'string', multiple: true },
      format: { type: 'string' },
    });
    const ref = graphRefArg(positionals);
    const name = required(options.name, '--name <subgraph>');
    const schema = required(options.schema, '--schema <file|->');
    const format = formatOption(options.format);
    const input = {
      ref,
      name,
      sdl: await readSchemaArg(schema, io),
      validationPeriod: options['validation-period'],
      queryCountThreshold: numberOption(options['query-count-threshold'], '--query-count-threshold'),
      queryPercentageThreshold: numberOption(options['query-percentage-threshold'], '--query-percentage-threshold'),
      excludedClients: options['exclude-client'],
      excludedOperationNames: options['exclude-operation'],
    };

    const { checkSubgraph: run } = await new RegistryClient(io.env).request<{ checkSubgraph: CheckRunView }>(CHECK_SUBGRAPH, { input }, 'checkSubgraph');
    const failure = run.passed ? null : { message: failureReason(run), code: 'CHECK_FAILED' };
    if (format === 'json') {
      writeJson(io, run, failure);
    } else {
      io.stdout.write(`${formatCheck(run)}\n`);
      if (failure) io.stderr.write(`error: ${failure.message}\n`);
    }
    return failure ? exitCodes.failed : exitCodes.ok;
  },
};
