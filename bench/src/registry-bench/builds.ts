import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One build of the project whose registry and CLI are measured. */
export interface BuildUnderTest {
  label: string;
  root: string;
  registryMain: string;
  cliMain: string;
  /** Removes what was made for it (a baseline's worktree). */
  dispose(): void;
}

function buildAt(label: string, root: string, dispose: () => void = () => {}): BuildUnderTest {
  const build = { label, root, registryMain: path.join(root, 'schema-registry/dist/src/main.js'), cliMain: path.join(root, 'schema-registry/dist/src/cli.js'), dispose };
  for (const file of [build.registryMain, build.cliMain]) if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${label} is not built (npm run build)`);
  return build;
}

export const currentBuild = (repoRoot: string): BuildUnderTest => buildAt('this build', repoRoot);

function git(repoRoot: string, args: string[]): string {
  return execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')} in ${cwd}: exit ${result.status ?? result.signal})`);
}

/** Every node_modules folder of the workspace (the root's and a package's own), relative to the root. */
function nodeModulesFolders(repoRoot: string): string[] {
  const workspaces = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return ['node_modules', ...workspaces.map((w) => path.join(w, 'node_modules'))].filter((dir) => fs.existsSync(path.join(repoRoot, dir)));
}

/**
 * The project at `ref`, checked out in a git worktree under the temporary directory and built.
 * Its dependencies are this checkout's, hard-linked, when both lockfiles are the same (the
 * workspace links in node_modules are relative, so they point into the worktree; caches are
 * left out); `npm ci` otherwise. A worktree kept by an earlier run for the same commit is reused.
 */
export function prepareBaseline(repoRoot: string, ref: string, keep: boolean, say: (line: string) => void): BuildUnderTest {
  let commit: string;
  try {
    commit = git(repoRoot, ['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${ref}: not a commit of ${repoRoot}`);
  }
  const dir = path.join(os.tmpdir(), `ficus-registry-bench-baseline-${commit.slice(0, 12)}`);
  const label = `baseline ${ref} (${commit.slice(0, 9)})`;
  const dispose = () => {
    if (keep) return say(`the baseline's worktree stays in ${dir} (git worktree remove --force ${dir} removes it)`);
    spawnSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const built = path.join(dir, '.registry-bench-built');
  if (fs.existsSync(built)) {
    say(`baseline: reusing ${dir}`);
    return buildAt(label, dir, dispose);
  }
  say(`baseline: checking out ${commit.slice(0, 9)} in ${dir} and building it (minutes)`);
  fs.rmSync(dir, { recursive: true, force: true });
  spawnSync('git', ['-C', repoRoot, 'worktree', 'prune'], { stdio: 'ignore' });
  try {
    git(repoRoot, ['worktree', 'add', '--detach', dir, commit]);
    const sameLockfile = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8') === fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8');
    if (sameLockfile) {
      for (const folder of nodeModulesFolders(repoRoot)) {
        if (fs.existsSync(path.join(dir, path.dirname(folder)))) run('cp', ['-al', path.join(repoRoot, folder), path.join(dir, folder)], repoRoot, `linking ${folder}`);
      }
      // Tools write their caches (nx's SQLite database) in place: a hard link would share them with this checkout.
      fs.rmSync(path.join(dir, 'node_modules/.cache'), { recursive: true, force: true });
    } else {
      say('baseline: its package-lock.json differs from this one: npm ci');
      run('npm', ['ci', '--no-audit', '--no-fund'], dir, 'npm ci of the baseline');
    }
    run('npm', ['run', 'build'], dir, 'the baseline build');
    fs.writeFileSync(built, `${commit}\n`);
    return buildAt(label, dir, dispose);
  } catch (err) {
    dispose();
    throw err;
  }
}
