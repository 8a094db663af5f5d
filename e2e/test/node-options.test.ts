import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions, withServiceEnvironment } from '../src';
import { repoRoot } from '../src/repo';

describe('the Node options a service package asks for', () => {
  it('are the gateway package\'s heap sizing, and node accepts them', () => {
    const options = serviceNodeOptions(path.join(repoRoot(), 'gateway'));
    expect(options).toEqual(expect.arrayContaining(['--max-semi-space-size=16', '--heap-growing-percent=50']));
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

describe('the environment defaults a service package asks for', () => {
  const packageWith = (ficus: unknown) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-environment-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ficus }));
    return dir;
  };

  it("are the gateway package's malloc tunables", () => {
    expect(serviceEnvironment(path.join(repoRoot(), 'gateway'))).toEqual({ MALLOC_ARENA_MAX: expect.stringMatching(/^\d+$/), MALLOC_TRIM_THRESHOLD_: expect.stringMatching(/^\d+$/) });
  });

  it('are none for a package that names none', () => {
    expect(serviceEnvironment(path.join(repoRoot(), 'subgraphs', 'orders'))).toEqual({});
  });

  it('give way to a variable the operator set', () => {
    const dir = packageWith({ environment: { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' } });
    expect(withServiceEnvironment(dir, { MALLOC_ARENA_MAX: '8', PORT: '4000' })).toEqual({ MALLOC_ARENA_MAX: '8', MALLOC_TRIM_THRESHOLD_: '131072', PORT: '4000' });
  });

  it('are refused, naming the package, when a name or value is not plain', () => {
    for (const environment of [['MALLOC_ARENA_MAX=2'], { 'lower-case': '1' }, { NAME: 'two words' }, { NAME: '$(reboot)' }, { NAME: 2 }]) {
      const dir = packageWith({ environment });
      expect(() => serviceEnvironment(dir)).toThrow(`${dir}/package.json: ficus.environment must map VARIABLE names to plain string values`);
    }
  });
});
