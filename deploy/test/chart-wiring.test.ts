import fs from 'node:fs';
import path from 'node:path';
import { stackServices, subgraphs } from '@ficus/e2e';
import YAML from 'yaml';
import { renderChart } from '../src/chart';
import { find, Manifest } from '../src/manifests';
import { containersOf, envOf } from '../src/pods';
import { repoRoot } from '../src/repo';

const release = 'ficus';
const resource = (service: string) => `${release}-${service}`;
const subgraphNames = subgraphs.map((s) => s.name);

let manifests: Manifest[];
beforeAll(async () => {
  const rendered = await renderChart();
  if (!rendered.ok) throw new Error(rendered.stderr);
  manifests = rendered.manifests;
});

const deployment = (service: string) => find(manifests, 'Deployment', resource(service));
const container = (service: string) => containersOf(deployment(service))[0]!;
const podLabels = (service: string): Record<string, string> => deployment(service).spec.template.metadata.labels;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The Secret data a variable's secretKeyRef points at, from the Secrets the chart rendered. */
function secretValue(service: string, variable: string): string {
  const ref = envOf(container(service), variable).valueFrom?.secretKeyRef;
  if (!ref) throw new Error(`${service}'s ${variable} is not from a Secret`);
  const value = find(manifests, 'Secret', ref.name).stringData?.[ref.key];
  if (value === undefined) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
  return value;
}

/** Host and port of a URL a variable holds, as a Service name and port. */
function serviceOf(url: string): { name: string; port: number } {
  const parsed = new URL(url);
  return { name: parsed.hostname, port: Number(parsed.port) };
}

function expectServiceServes(url: string, service: string): void {
  const target = serviceOf(url);
  const svc = find(manifests, 'Service', target.name);
  expect(target.name).toBe(resource(service));
  expect(svc.spec.ports.map((p: { port: number }) => p.port)).toContain(target.port);
  expect(matches(svc.spec.selector, podLabels(service))).toBe(true);
}

describe('the chart wires the services as the launcher does', () => {
  it('runs the gateway, the registry and each subgraph from the image, each on its README port behind a Service', () => {
    for (const spec of stackServices) {
      const main = container(spec.name);
      expect(main.args).toEqual([spec.name]);
      expect(main.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: spec.defaultPort })]);
      expect(envOf(main, 'PORT').value).toBe(String(spec.defaultPort));
      expect(envOf(main, 'HOST').value).toBe('0.0.0.0');
      const svc = find(manifests, 'Service', resource(spec.name));
      expect(svc.spec.ports).toEqual([expect.objectContaining({ port: spec.defaultPort, targetPort: 'http' })]);
      expect(matches(svc.spec.selector, podLabels(spec.name))).toBe(true);
      // A Service selecting another component's pods too would spread its traffic over them.
      for (const other of stackServices.filter((s) => s.name !== spec.name)) {
        expect(matches(svc.spec.selector, podLabels(other.name))).toBe(false);
      }
    }
  });

  it('probes /ready for readiness and /health for liveness, and requests CPU and memory, for every container', () => {
    for (const spec of stackServices) {
      const main = container(spec.name);
      expect(main.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(main.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(main.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(main.resources.limits.memory).toBeDefined();
    }
  });

  it('points the gateway at the registry and the users JWKS through their Services, with the read/report key', () => {
    const gateway = container('gateway');
    expectServiceServes(envOf(gateway, 'FICUS_REGISTRY_URL').value!, 'registry');
    const jwks = envOf(gateway, 'JWKS_URL').value!;
    expect(new URL(jwks).pathname).toBe('/.well-known/jwks.json');
    expectServiceServes(jwks, 'users');
    expect(secretValue('gateway', 'FICUS_API_KEY')).toMatch(/^ficus_ci-only-read-report/);
    expect(envOf(gateway, 'FICUS_GRAPH_REF').value).toBe('shop@current');
  });

  it('gives the gateway and every subgraph the same identity signing secret, and users its JWT signing key', () => {
    const secret = secretValue('gateway', 'IDENTITY_SIGNING_SECRET');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    for (const name of subgraphNames) expect(secretValue(name, 'IDENTITY_SIGNING_SECRET')).toBe(secret);
    expect(secretValue('users', 'JWT_PRIVATE_KEY')).toContain('-----BEGIN PRIVATE KEY-----');
    for (const name of subgraphNames.filter((n) => n !== 'users')) {
      expect(container(name).env!.map((v) => v.name)).not.toContain('JWT_PRIVATE_KEY');
    }
  });

  it('gives each subgraph and the registry its own DATABASE_URL, and each subgraph the NATS cluster', () => {
    const urls = [...subgraphNames, 'registry'].map((name) => secretValue(name, 'DATABASE_URL'));
    expect(new Set(urls).size).toBe(urls.length);
    for (const [i, name] of [...subgraphNames, 'registry'].entries()) expect(urls[i]).toContain(`ficus_${name.replaceAll('-', '_')}`);
    for (const name of subgraphNames) expect(envOf(container(name), 'NATS_URL').value).toBe('nats://nats-0.nats:4222,nats://nats-1.nats:4222,nats://nats-2.nats:4222');
    for (const name of subgraphNames) expect(envOf(container(name), 'NATS_STREAM_REPLICAS').value).toBe('3');
  });

  it('gives every service the common variables, and a component its own after them', async () => {
    const { manifests: rendered } = await renderChart({ 'commonEnv.OTEL_TRACES_SAMPLER': 'always_off', 'gateway.env.OTEL_TRACES_SAMPLER': 'always_on' });
    for (const spec of stackServices) {
      const env = containersOf(find(rendered, 'Deployment', resource(spec.name)))[0]!.env!;
      const samplers = env.filter((v) => v.name === 'OTEL_TRACES_SAMPLER').map((v) => v.value);
      // Kubernetes takes the last of two same-named variables.
      expect(samplers).toEqual(spec.name === 'gateway' ? ['always_off', 'always_on'] : ['always_off']);
    }
  });

  it('runs migrations in an init container before each subgraph and the registry start, the service then never migrating itself', async () => {
    for (const name of [...subgraphNames, 'registry']) {
      const pod = deployment(name).spec.template.spec;
      expect(pod.initContainers).toEqual([expect.objectContaining({ name: 'migrate', args: [name, 'migrate'] })]);
      // The init container has the service's environment (its database) and migrates whatever DATABASE_MIGRATE says.
      expect(envOf(pod.initContainers[0], 'DATABASE_URL')).toEqual(envOf(container(name), 'DATABASE_URL'));
      expect(pod.initContainers[0].env.find((v: { name: string }) => v.name === 'DATABASE_MIGRATE')).toBeUndefined();
      expect(envOf(container(name), 'DATABASE_MIGRATE').value).toBe('never');
    }
    expect(deployment('gateway').spec.template.spec.initContainers).toBeUndefined();
    expect(containersOf(deployment('gateway'))[0]!.env!.find((v) => v.name === 'DATABASE_MIGRATE')).toBeUndefined();
    const custom = await renderChart({ 'migrations.args': '{db,migrate,--wait}' });
    expect(find(custom.manifests, 'Deployment', resource('orders')).spec.template.spec.initContainers[0].args).toEqual(['orders', 'db', 'migrate', '--wait']);
  });

  it('gives the init containers the URLs of a user that may change the schema when migrations.existingSecret names them', async () => {
    const { manifests: rendered } = await renderChart({ 'migrations.existingSecret': 'ficus-migrators' });
    for (const name of [...subgraphNames, 'registry']) {
      const pod = find(rendered, 'Deployment', resource(name)).spec.template.spec;
      const urls = pod.initContainers[0].env.filter((v: { name: string }) => v.name === 'DATABASE_URL');
      // Kubernetes takes the last of two same-named variables.
      expect(urls.at(-1).valueFrom.secretKeyRef).toEqual({ name: 'ficus-migrators', key: name });
      expect(envOf(containersOf(find(rendered, 'Deployment', resource(name)))[0]!, 'DATABASE_URL').valueFrom!.secretKeyRef!.name).not.toBe('ficus-migrators');
    }
  });

  it('leaves migrations to the services at start when migrations.enabled is false', async () => {
    const { manifests: off } = await renderChart({ 'migrations.enabled': 'false' });
    for (const name of [...subgraphNames, 'registry']) {
      const deploymentOff = find(off, 'Deployment', resource(name));
      expect(deploymentOff.spec.template.spec.initContainers).toBeUndefined();
      expect(containersOf(deploymentOff)[0]!.env!.find((v) => v.name === 'DATABASE_MIGRATE')).toBeUndefined();
    }
  });

  it("publishes every subgraph's schema with its Service as routing URL, in supergraph.yaml's order, after install and upgrade", () => {
    const job = find(manifests, 'Job', resource('schema-publish'));
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('post-install,post-upgrade');
    const [publish] = containersOf(job);
    const script: string = publish!.args![0]!;
    const published = [...script.matchAll(/subgraph publish "\$GRAPH_REF" --name (\S+) --schema (\S+) --routing-url (\S+)/g)];
    const supergraph = YAML.parse(fs.readFileSync(path.join(repoRoot(), 'supergraph.yaml'), 'utf8')) as { subgraphs: Record<string, unknown> };
    expect(published.map((m) => m[1])).toEqual(Object.keys(supergraph.subgraphs));
    for (const [, name, schema, routingUrl] of published) {
      expect(schema).toBe(`/app/subgraphs/${name}/schema.graphql`);
      expect(fs.existsSync(path.join(repoRoot(), 'subgraphs', name!, 'schema.graphql'))).toBe(true);
      expect(new URL(routingUrl!).pathname).toBe('/graphql');
      expectServiceServes(routingUrl!, name!);
    }
    expect(envOf(publish!, 'FICUS_REGISTRY_URL').value).toBe(envOf(container('gateway'), 'FICUS_REGISTRY_URL').value);
  });
});

describe('the chart scales and protects the services', () => {
  it('autoscales the gateway and every subgraph on CPU, leaving their replica counts to the autoscaler', () => {
    for (const name of ['gateway', ...subgraphNames]) {
      const hpa = find(manifests, 'HorizontalPodAutoscaler', resource(name));
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: resource(name) });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(deployment(name).spec.replicas).toBeUndefined();
    }
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler')).toHaveLength(1 + subgraphNames.length);
  });

  it('keeps a fixed replica count where autoscaling is off', async () => {
    const { manifests: fixed } = await renderChart({ 'subgraphs.orders.autoscaling.enabled': 'false', 'subgraphs.orders.replicas': '3' });
    expect(find(fixed, 'Deployment', resource('orders')).spec.replicas).toBe(3);
    expect(fixed.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === resource('orders'))).toBeUndefined();
    expect(find(fixed, 'HorizontalPodAutoscaler', resource('users'))).toBeDefined();
  });

  it('keeps at least one pod of every service through voluntary disruptions', () => {
    for (const spec of stackServices) {
      const pdb = find(manifests, 'PodDisruptionBudget', resource(spec.name));
      expect(pdb.spec.minAvailable).toBe(1);
      expect(matches(pdb.spec.selector.matchLabels, podLabels(spec.name))).toBe(true);
    }
  });

  it("admits to a subgraph's port only the gateway's pods, and to the registry's the gateway and the publishing job", () => {
    const jobLabels = find(manifests, 'Job', resource('schema-publish')).spec.template.metadata.labels;
    const admitted = (service: string) => {
      const policy = find(manifests, 'NetworkPolicy', resource(service));
      expect(matches(policy.spec.podSelector.matchLabels, podLabels(service))).toBe(true);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec.ingress).toHaveLength(1);
      const from = policy.spec.ingress[0].from as { podSelector?: { matchLabels: Record<string, string> } }[];
      const candidates: [string, Record<string, string>][] = [
        ...stackServices.map((s): [string, Record<string, string>] => [s.name, podLabels(s.name)]),
        ['schema-publish', jobLabels],
      ];
      return candidates.filter(([, labels]) => from.some((peer) => peer.podSelector && matches(peer.podSelector.matchLabels, labels))).map(([name]) => name);
    };
    for (const name of subgraphNames) expect(admitted(name)).toEqual(['gateway']);
    expect(admitted('registry')).toEqual(['gateway', 'schema-publish']);
    // Without a list of who may reach it, the gateway takes traffic from anywhere (its ingress).
    expect(manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === resource('gateway'))).toBeUndefined();
  });

  it('runs every container as a non-root user on a read-only root filesystem', () => {
    for (const spec of stackServices) {
      const pod = deployment(spec.name).spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.securityContext).toEqual(expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }));
      }
    }
  });
});

describe('the chart without its required values', () => {
  it('refuses to render without the keys and names the missing value', async () => {
    const { ok, stderr } = await renderChart({}, []);
    expect(ok).toBe(false);
    expect(stderr).toMatch(/secrets\.\w+ .* is required/);
  });

  it('refuses to render without a database URL for each service and names the service', async () => {
    const { ok, stderr } = await renderChart({ 'postgres.databaseUrls.orders': '' });
    expect(ok).toBe(false);
    expect(stderr).toContain('postgres.databaseUrls.orders (or postgres.existingSecret) is required');
  });

  it('uses existing Secrets instead of its own when named', async () => {
    const { manifests: rendered } = await renderChart({ 'secrets.existingSecret': 'shop-keys', 'postgres.existingSecret': 'shop-databases' }, []);
    expect(rendered.filter((m) => m.kind === 'Secret')).toEqual([]);
    const gateway = containersOf(find(rendered, 'Deployment', resource('gateway')))[0]!;
    expect(envOf(gateway, 'IDENTITY_SIGNING_SECRET').valueFrom?.secretKeyRef).toEqual({ name: 'shop-keys', key: 'identity-signing-secret' });
    const orders = containersOf(find(rendered, 'Deployment', resource('orders')))[0]!;
    expect(envOf(orders, 'DATABASE_URL').valueFrom?.secretKeyRef).toEqual({ name: 'shop-databases', key: 'orders' });
  });
});
