import type * as Kit from '@ficus/kit';
import type * as RegistryConfig from '../../config';
import type * as RegistryDatabase from '../../db/open-registry-database';
import type * as ApiKeys from '../../domain/api-keys';
import { Command, exitCodes, InputError, parseCommandArgs } from '../command';
import { writeJson } from '../json-output';
import { ApiKeyView, CREATE_API_KEY } from '../operations';
import { formatOption, required } from '../options';
import { RegistryClient } from '../registry-client';

export const keyCreate: Command = {
  noun: 'key',
  verb: 'create',
  summary: 'Create a registry API key (through the API with an admin key); prints the key once',
  usage: [
    'Usage: ficus key create --name <name> --scope <publish|check|read|report|admin>... [--database] [--format human|json]',
    '',
    'With FICUS_API_KEY (a key with the admin scope) it asks the registry at FICUS_REGISTRY_URL, which',
    'records who created it in the audit log. With --database, or without FICUS_API_KEY, it writes to the',
    'registry\'s database directly, configured as the registry is (DATA_DIR, DATABASE_URL, POSTGRES_URL):',
    'that is how the first admin key of a new registry is made.',
    'Only the sha256 of the key is stored: copy it now.',
  ].join('\n'),

  async run(args, io) {
    const { values: options } = parseCommandArgs(args, {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      database: { type: 'boolean' },
      format: { type: 'string' },
    }, { positionals: false });
    const name = required(options.name, '--name <name>');
    const format = formatOption(options.format);
    const scopes = options.scope ?? [];
    const viaApi = Boolean(io.env.FICUS_API_KEY) && !options.database;
    const created = viaApi ? await throughApi(io.env, name, scopes) : await inDatabase(io.env, name, scopes);
    if (format === 'json') {
      writeJson(io, { id: created.apiKey.id, name: created.apiKey.name, scopes: created.apiKey.scopes, key: created.key });
    } else {
      io.stdout.write(`${created.key}\n`);
      io.stderr.write(`created key "${created.apiKey.name}" (${created.apiKey.scopes.join(', ')}); it is shown only once\n`);
    }
    return exitCodes.ok;
  },
};

async function throughApi(env: NodeJS.ProcessEnv, name: string, scopes: string[]): Promise<{ key: string; apiKey: Pick<ApiKeyView, 'id' | 'name' | 'scopes'> }> {
  const data = await new RegistryClient(env).request<{ createApiKey: { key: string; apiKey: ApiKeyView } }>(
    CREATE_API_KEY,
    { input: { name, scopes } },
    'createApiKey',
  );
  return data.createApiKey;
}

async function inDatabase(env: NodeJS.ProcessEnv, name: string, scopes: string[]) {
  // The registry's config, database and domain are loaded only to write to the database directly.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ConfigError, createLogger, DomainError } = require('@ficus/kit') as typeof Kit;
  const { readRegistryConfig } = require('../../config') as typeof RegistryConfig;
  const { openRegistryDatabase } = require('../../db/open-registry-database') as typeof RegistryDatabase;
  const { createApiKey } = require('../../domain/api-keys') as typeof ApiKeys;
  /* eslint-enable @typescript-eslint/no-require-imports */
  let config;
  try {
    config = readRegistryConfig(env);
  } catch (err) {
    throw err instanceof ConfigError ? new InputError(err.message.replace(/\n/g, ' '), 'CONFIG_INVALID') : err;
  }
  const orm = await openRegistryDatabase(config.database, createLogger('ficus', 'silent'), config.databaseAccess);
  try {
    return await createApiKey(orm.em.fork(), { name, scopes });
  } catch (err) {
    throw err instanceof DomainError ? new InputError(err.message, err.code) : err;
  } finally {
    await orm.close();
  }
}
