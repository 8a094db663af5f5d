import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { monolithService, serviceEnvironment, serviceNodeOptions, stackServices } from '@ficus/e2e';
import { repoRoot } from '../src/repo';

const root = repoRoot();
const dockerDir = path.join(root, 'deploy', 'docker');
const dockerfile = fs.readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8');
const entrypoint = fs.readFileSync(path.join(dockerDir, 'entrypoint.sh'), 'utf8');

/** What the image runs: every service of the stack, and the modular monolith (`npm start -- --monolith`). */
const imageServices = [...stackServices, monolithService];

/** The entrypoint's `name) dir=… port=… ;;` arms. */
const arms = new Map(
  [...entrypoint.matchAll(/^\s*([a-z-]+)\) dir=(\S+) port=(\d+) ;;$/gm)].map(([, name, dir, port]) => [name!, { dir: dir!, port: Number(port) }]),
);

/** The package folders the build stage copies into the runtime image. */
const copiedPackages = new Set(/for dir in ([^;]+);/.exec(dockerfile)![1]!.replace(/\\\n/g, ' ').trim().split(/\s+/));

/** A package's @ficus/* production dependencies, followed through the workspace, as folders. */
function ficusRuntimeDependencies(dir: string, seen = new Set<string>()): Set<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies ?? {}).filter((n) => n.startsWith('@ficus/'))) {
    const linked = path.relative(root, fs.realpathSync(path.join(root, 'node_modules', name)));
    if (!seen.has(linked)) {
      seen.add(linked);
      ficusRuntimeDependencies(linked, seen);
    }
  }
  return seen;
}

describe('the container image', () => {
  it('starts every service of the stack from its package, on its README port by default', () => {
    expect([...arms.keys()].sort()).toEqual(imageServices.map((s) => s.name).sort());
    for (const spec of imageServices) {
      expect(arms.get(spec.name)).toEqual({ dir: spec.dir, port: spec.defaultPort });
      expect(fs.existsSync(path.join(root, spec.dir, 'src', 'main.ts'))).toBe(true);
    }
  });

  it('copies into the runtime stage every service package and each workspace package they import', () => {
    for (const spec of imageServices) {
      expect(copiedPackages).toContain(spec.dir);
      for (const dependency of ficusRuntimeDependencies(spec.dir)) expect(copiedPackages).toContain(dependency);
    }
  });

  it('runs as a non-root user and checks /health', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*healthcheck\.js/m);
    expect(fs.readFileSync(path.join(dockerDir, 'healthcheck.js'), 'utf8')).toContain('/health');
  });

  describe('its entrypoint', () => {
    // A copy of the image's /app layout in which each service's main.js reports how node ran it.
    let app: string;
    beforeAll(() => {
      app = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-image-'));
      fs.copyFileSync(path.join(dockerDir, 'entrypoint.sh'), path.join(app, 'entrypoint.sh'));
      const report =
        'process.stdout.write(JSON.stringify({ execArgv: process.execArgv, args: process.argv.slice(2), port: process.env.PORT, mallocArenas: process.env.MALLOC_ARENA_MAX ?? null }))';
      for (const spec of imageServices) {
        fs.mkdirSync(path.join(app, spec.dir, 'dist', 'src'), { recursive: true });
        fs.copyFileSync(path.join(root, spec.dir, 'package.json'), path.join(app, spec.dir, 'package.json'));
        fs.writeFileSync(path.join(app, spec.dir, 'dist', 'src', 'main.js'), report);
      }
    });
    afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

    const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const { stdout } = await promisify(execFile)('sh', [path.join(app, 'entrypoint.sh'), ...args], { env: { PATH: process.env.PATH, ...env } });
      return JSON.parse(stdout) as { execArgv: string[]; args: string[]; port: string; mallocArenas: string | null };
    };

    it("starts each service with its package's ficus.nodeOptions, passing later arguments on", async () => {
      expect(serviceNodeOptions(path.join(root, 'gateway'))).not.toEqual([]);
      for (const spec of imageServices) {
        const started = await run([spec.name, 'migrate']);
        expect(started).toEqual({
          execArgv: serviceNodeOptions(path.join(root, spec.dir)),
          args: ['migrate'],
          port: String(spec.defaultPort),
          mallocArenas: serviceEnvironment(path.join(root, spec.dir)).MALLOC_ARENA_MAX ?? null,
        });
      }
    });

    it("sets its package's ficus.env where the environment does not already", async () => {
      expect(serviceEnvironment(path.join(root, 'gateway'))).not.toEqual({});
      expect((await run(['gateway'])).mallocArenas).toBe('1');
      expect((await run(['gateway'], { MALLOC_ARENA_MAX: '4' })).mallocArenas).toBe('4');
    });

    it('keeps a PORT given by the environment', async () => {
      expect((await run(['orders'], { PORT: '8080' })).port).toBe('8080');
    });

    it('refuses an unknown service with a usage message', async () => {
      await expect(run(['billing'])).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('usage:') });
    });
  });
});
