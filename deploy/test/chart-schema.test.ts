import { ciValues, renderChart, chartDir } from '../src/chart';
import { helm } from '../src/helm';
import { schemaProblems } from '../src/kubernetes-schema';
import { unknownFieldProblems } from '../src/unknown-fields';

describe('the Helm chart, rendered by helm', () => {
  it('passes helm lint with the CI values', async () => {
    const lint = await helm(['lint', chartDir, '--values', ciValues]);
    expect(lint.stderr + lint.stdout).toContain('0 chart(s) failed');
    expect(lint.ok).toBe(true);
  });

  it('renders only manifests valid against the Kubernetes schema of their kind, with no field it does not define', async () => {
    const { ok, stderr, manifests } = await renderChart();
    expect(stderr).toBe('');
    expect(ok).toBe(true);
    const problems = manifests.flatMap((m) => schemaProblems(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
    expect(unknownFieldProblems(manifests)).toEqual([]);
    expect(manifests.length).toBeGreaterThanOrEqual(8 * 2);
  });

  it('renders valid manifests with every optional part switched on: existing secrets, NATS credentials, Redis, restricted ingress', async () => {
    const { ok, stderr, manifests } = await renderChart({
      'secrets.existingSecret': 'shop-keys',
      'postgres.existingSecret': 'shop-databases',
      'nats.existingSecret': 'shop-nats',
      'nats.credentials.existingSecret': 'shop-nats-creds',
      'gateway.redis.enabled': 'true',
      'gateway.networkPolicyFrom[0].namespaceSelector.matchLabels.name': 'ingress',
      'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name': 'monitoring',
      'gateway.env.CORS_ORIGINS': 'https://shop.example',
      'commonEnv.OTEL_EXPORTER_OTLP_ENDPOINT': 'http://otel-collector.observability:4318',
      'imagePullSecrets[0].name': 'registry-credentials',
      'podAnnotations.prometheus\.io/scrape': 'true',
    });
    expect(stderr).toBe('');
    expect(ok).toBe(true);
    const problems = manifests.flatMap((m) => schemaProblems(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
    expect(unknownFieldProblems(manifests)).toEqual([]);
  });

  it('finds a manifest with a wrong field type invalid, so the validation above can fail', () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: { replicas: 'two', selector: {}, template: { spec: { containers: [{ name: 'a' }] } } },
    };
    expect(schemaProblems(broken)).toEqual([expect.stringContaining('/spec/replicas must be integer')]);
    expect(schemaProblems({ ...broken, apiVersion: 'apps/v9' })).toEqual([expect.stringContaining('not a Kubernetes kind')]);
  });

  it('finds a field the Kubernetes API does not define, which the schemas let pass', () => {
    const misspelt = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'misspelt' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'a', livenessProbes: {} }] } } },
    };
    expect(schemaProblems(misspelt)).toEqual([]);
    expect(unknownFieldProblems([misspelt])).toEqual([expect.stringMatching(/^Deployment\/misspelt: .*livenessProbes.* does not exist/)]);
  });
});
