import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  clashingReviewsSdl,
  productsSdl,
  removeSupergraphFolders,
  repoSupergraphConfig,
  twoSubgraphConfig,
  writeSupergraph,
} from './fixtures';

const cli = path.resolve(__dirname, '../dist/src/cli.js');

function ficus(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsc --build schema-registry\` first`);
});

afterAll(removeSupergraphFolders);

describe('ficus supergraph compose', () => {
  it('prints the supergraph SDL and exits 0', () => {
    const run = ficus('supergraph', 'compose', '--config', repoSupergraphConfig);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('@join__graph(name: "inventory", url: "http://127.0.0.1:4003/graphql")');
  });

  it('writes the supergraph to --output instead of stdout', () => {
    const { dir } = writeSupergraph({});
    const output = path.join(dir, 'supergraph.graphql');

    const run = ficus('supergraph', 'compose', '--config', repoSupergraphConfig, '--output', output);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(fs.readFileSync(output, 'utf8')).toContain('join__Graph');
  });

  it('prints composition errors with their codes on stderr and exits 1', () => {
    const { config } = writeSupergraph({
      'supergraph.yaml': twoSubgraphConfig(),
      'products.graphql': productsSdl,
      'reviews.graphql': clashingReviewsSdl,
    });

    const run = ficus('supergraph', 'compose', '--config', config);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('INVALID_FIELD_SHARING: Non-shareable field "Product.name"');
  });

  it('exits 1 with a clear message when the config file does not exist', () => {
    const run = ficus('supergraph', 'compose', '--config', '/nonexistent/supergraph.yaml');

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot read supergraph config /nonexistent/supergraph.yaml: ENOENT');
  });

  it('exits 1 saying a subgraph schema file is too large when it never ends', () => {
    const { config } = writeSupergraph({ 'supergraph.yaml': 'subgraphs:\n  users:\n    routing_url: http://users/graphql\n    schema:\n      file: /dev/zero\n' });

    const run = ficus('supergraph', 'compose', '--config', config);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('subgraphs.users.schema.file: cannot read /dev/zero: it holds more than 64 MiB');
  });

  it('exits 1 naming the bad key of a malformed config', () => {
    const { config } = writeSupergraph({ 'supergraph.yaml': 'subgraphs:\n  users:\n    schema:\n      file: ./u.graphql\n' });

    const run = ficus('supergraph', 'compose', '--config', config);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('subgraphs.users.routing_url: is required');
  });

  it('exits 2 with the usage when --config is missing or an option is unknown', () => {
    for (const args of [[], ['--config', repoSupergraphConfig, '--schema', 'x.graphql']]) {
      const run = ficus('supergraph', 'compose', ...args);

      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: ficus supergraph compose --config <supergraph.yaml>');
    }
  });
});

describe('ficus', () => {
  it('exits 2 and lists the commands for an unknown command', () => {
    const run = ficus('graph', 'explode');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "ficus graph explode"');
    expect(run.stderr).toContain('supergraph compose');
  });

  it('escapes the control characters of what it echoes on stderr, so an argument cannot recolour or rewrite a CI log', () => {
    const run = ficus('subgraph', 'check', 'shop@current', '--name', 'users', '--schema', 'x.graphql', '--format', 'json\u001b[31m\r\u202e');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --format must be human or json, not "json\\u001b[31m\\u000d\\u202e"\n');
    expect(run.stderr).not.toMatch(/[\u001b\r\u202e]/);
  });

  it('prints its version as rover does and exits 0 for --version', () => {
    const version = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) {
      expect(ficus(flag)).toEqual({ code: 0, stdout: `ficus ${version}\n`, stderr: '' });
    }
  });

  it('prints help on stdout, naming the environment it reads, and exits 0 for --help', () => {
    const run = ficus('--help');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ficus <command> [options]');
    expect(run.stdout).toContain('Environment: FICUS_REGISTRY_URL (default http://127.0.0.1:4100), FICUS_API_KEY, FICUS_CLIENT_TIMEOUT (seconds per request, default 120).');
  });

  it('exits 1 saying a schema is too large when the file or stdin it is read from holds more than 64 MiB, before reaching the registry', () => {
    const env = { PATH: process.env.PATH ?? '', FICUS_REGISTRY_URL: 'http://127.0.0.1:9', FICUS_API_KEY: 'ficus_unused' };
    const fromFile = spawnSync(process.execPath, [cli, 'subgraph', 'check', 'shop@current', '--name', 'users', '--schema', '/dev/zero'], { encoding: 'utf8', env });
    const fromStdin = spawnSync(process.execPath, [cli, 'subgraph', 'check', 'shop@current', '--name', 'users', '--schema', '-'], {
      encoding: 'utf8',
      env,
      input: Buffer.alloc(64 * 1024 * 1024 + 1, 'a'),
    });

    expect({ code: fromFile.status, stderr: fromFile.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('cannot read schema /dev/zero: it holds more than 64 MiB') });
    expect({ code: fromStdin.status, stderr: fromStdin.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('cannot read schema from stdin: it holds more than 64 MiB') });
  });

  it('exits 1 saying a schema is not UTF-8, before reaching the registry, rather than sending it with U+FFFD in place of its accents', () => {
    const env = { PATH: process.env.PATH ?? '', FICUS_REGISTRY_URL: 'http://127.0.0.1:9', FICUS_API_KEY: 'ficus_unused' };
    const latin1 = Buffer.from('"Caf\xe9 items" type Query { a: String }\n', 'latin1');
    const run = spawnSync(process.execPath, [cli, 'subgraph', 'check', 'shop@current', '--name', 'users', '--schema', '-'], { encoding: 'utf8', env, input: latin1 });
    expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 1, stderr: 'error: cannot read schema from stdin: it is not UTF-8 text (save it as UTF-8)\n' });
  });

  it("starts a command without loading composition, the registry database, @ficus/kit, @ficus/events or graphql beyond its language module", () => {
    // What every command pays before it runs: a check waited 0.9 s for 2,167 modules it never used.
    const script = `require(${JSON.stringify(path.resolve(__dirname, '../dist/src/cli/run-cli.js'))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const loaded = JSON.parse(run.stdout) as string[];

    expect(loaded.filter((file) => /@apollo\/composition|@mikro-orm|libs\/kit|libs\/events|\/compose\.js|open-registry-database/.test(file))).toEqual([]);
    // graphql's entry loads its executor, validation and type system: 88 ms of every start.
    expect(loaded.filter((file) => /node_modules\/graphql\/(?!language\/|jsutils\/|error\/)/.test(file))).toEqual([]);
    expect(loaded.length).toBeLessThan(100);
  });

  it.each(['supergraph compose', 'subgraph check', 'events publish', 'key create'])("prints a command's usage and exits 0 for ficus %s --help, whatever else is given", (command) => {
    const run = ficus(...command.split(' '), '--help', '--no-such-option');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: ficus ${command}`);
  });
});
