import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions } from '../src';
import { repoRoot } from '../src/repo';

describe('the Node options a service package asks for', () => {
  it('are the gateway package\'s heap sizing, and node accepts them', () => {
    const options = serviceNodeOptions(path.join(repoRoot(), 'gateway'));
    expect(options).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=20']);
    // node refuses an option it does not know, with exit code 9.
    expect(execFileSync(process.execPath, [...options, '-e', 'process.stdout.write("started")']).toString()).toBe('started');
  });

  it('are none for a package that names none', () => {
    expect(serviceNodeOptions(path.join(repoRoot(), 'subgraphs', 'orders'))).toEqual([]);
  });

  it('are refused, naming the package, when they are not a list of options', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-node-options-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ficus: { nodeOptions: '--max-semi-space-size=16' } }));
    expect(() => serviceNodeOptions(dir)).toThrow(`${dir}/package.json: ficus.nodeOptions must be a list of --options`);
  });
});

describe('the environment a service package asks to start with', () => {
  it("is the gateway package's single malloc arena, and blocks of 8 KiB and more mapped on their own", () => {
    expect(serviceEnvironment(path.join(repoRoot(), 'gateway'))).toEqual({ MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '8192' });
  });

  it("is the registry package's threshold of 32 KiB for blocks mapped on their own", () => {
    expect(serviceEnvironment(path.join(repoRoot(), 'schema-registry'))).toEqual({ MALLOC_MMAP_THRESHOLD_: '32768' });
  });

  it('is none for a package that names none', () => {
    expect(serviceEnvironment(path.join(repoRoot(), 'subgraphs', 'orders'))).toEqual({});
  });

  it.each([
    ['a list', ['MALLOC_ARENA_MAX=1']],
    ['a lowercase name', { malloc_arena_max: '1' }],
    ['a number for a value', { MALLOC_ARENA_MAX: 1 }],
    ['a value a shell would expand', { MALLOC_ARENA_MAX: '$(reboot)' }],
  ])('is refused, naming the package, when it is %s', (_what, env) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-service-env-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ficus: { env } }));
    expect(() => serviceEnvironment(dir)).toThrow(`${dir}/package.json: ficus.env must map variable names (A-Z, 0-9, _) to plain words`);
  });
});
