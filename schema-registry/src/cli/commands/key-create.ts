import { ConfigError, createLogger, DomainError } from '@ficus/kit';
import { readRegistryConfig } from '../../config';
import { openRegistryDatabase } from '../../db/open-registry-database';
import { createApiKey } from '../../domain/api-keys';
import { Command, exitCodes, InputError, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { formatOption, required } from '../options';

export const keyCreate: Command = {
  noun: 'key',
  verb: 'create',
  summary: "Create a registry API key in the registry's database; prints the key once",
  usage: [
    'Usage: ficus key create --name <name> --scope <publish|check|read|report|admin>... [--format human|json]',
    '',
    "Writes to the registry's database directly, configured as the registry is (DATA_DIR, DATABASE_URL, POSTGRES_URL).",
    'Only the sha256 of the key is stored: copy it now.',
  ].join('\n'),

  async run(args, io) {
    const { values: options } = parseCommandArgs(args, {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      format: { type: 'string' },
    }, { positionals: false });
    const name = required(options.name, '--name <name>');
    const format = formatOption(options.format);
    let config;
    try {
      config = readRegistryConfig(io.env);
    } catch (err) {
      throw err instanceof ConfigError ? new InputError(err.message.replace(/\n/g, ' '), 'CONFIG_INVALID') : err;
    }
    const orm = await openRegistryDatabase(config.database, createLogger('ficus', 'silent'), config.databaseAccess);
    try {
      const { key, apiKey } = await createApiKey(orm.em.fork(), { name, scopes: options.scope ?? [] });
      if (format === 'json') {
        writeJson(io, { id: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, key });
      } else {
        io.stdout.write(`${key}\n`);
        io.stderr.write(`created key "${apiKey.name}" (${apiKey.scopes.join(', ')}); it is shown only once\n`);
      }
      return exitCodes.ok;
    } catch (err) {
      throw err instanceof DomainError ? new InputError(err.message, err.code) : err;
    } finally {
      await orm.close();
    }
  },
};
