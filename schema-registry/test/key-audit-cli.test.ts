import { ficus, startRegistryForCli } from './cli-harness';
import { TestRegistry } from './registry-harness';

let t: TestRegistry;
const as = (key: string) => ({ FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: key });

beforeAll(async () => {
  t = await startRegistryForCli('key_audit_cli');
});
afterAll(async () => {
  await t?.stop();
});

describe('ficus key and ficus audit against a running registry', () => {
  it('creates a key through the API with an admin key, lists it, revokes it, and the audit log names the admin for both', async () => {
    const create = await ficus(['key', 'create', '--name', 'ci', '--scope', 'publish', '--scope', 'check', '--format', 'json'], as(t.keys.admin));
    expect(create.code).toBe(0);
    const created = JSON.parse(create.stdout).data;
    expect(created).toMatchObject({ name: 'ci', scopes: ['publish', 'check'], key: expect.stringMatching(/^ficus_/), success: true });

    // A valid key (FORBIDDEN, not UNAUTHENTICATED): it has publish and check, not read.
    const whoami = await t.gql('{ variant(ref: "shop@none") { ref } }', {}, created.key);
    expect(whoami.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const list = await ficus(['key', 'list'], as(t.keys.admin));
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${created.id}  ci  [publish, check]`);
    expect(list.stdout).not.toContain(created.key);

    const revoke = await ficus(['key', 'revoke', created.id], as(t.keys.admin));
    expect(revoke).toMatchObject({ code: 0, stdout: expect.stringContaining(`revoked key "ci" (${created.id})`) });
    const denied = await ficus(['key', 'list'], as(created.key));
    expect(denied).toMatchObject({ code: 1, stderr: expect.stringContaining('UNAUTHENTICATED') });

    const audit = await ficus(['audit', 'list', '--format', 'json'], as(t.keys.admin));
    expect(audit.code).toBe(0);
    const events = JSON.parse(audit.stdout).data.events as any[];
    expect(events.map((e) => [e.action, e.subject, e.outcome, e.actor])).toEqual([
      ['key.revoke', 'ci', 'revoked', 'ci-admin'],
      ['key.create', 'ci', 'created', 'ci-admin'],
    ]);
    expect(events[1].details).toEqual({ keyId: created.id, scopes: ['publish', 'check'] });
    const human = await ficus(['audit', 'list', '--action', 'key.create'], as(t.keys.admin));
    expect(human.stdout).toMatch(/^\d+ {2}\S+Z {2}ci-admin {2}key\.create ci {2}created\n$/);
  });

  it('writes the database directly with --database, even when FICUS_API_KEY is set, and the audit log has no entry for it', async () => {
    const target = t.db.target as { kind: string; path: string };
    const run = await ficus(['key', 'create', '--name', 'first-admin', '--scope', 'admin', '--database', '--format', 'json'], { ...as(t.keys.read), DATABASE_URL: `file:${target.path}` });
    expect(run.code).toBe(0);
    const { key } = JSON.parse(run.stdout).data;
    const list = await ficus(['key', 'list', '--format', 'json'], as(key));
    expect(JSON.parse(list.stdout).data.apiKeys).toContainEqual(expect.objectContaining({ name: 'first-admin', scopes: ['admin'] }));
    const audit = await ficus(['audit', 'list', '--action', 'key.create', '--format', 'json'], as(key));
    expect(JSON.parse(audit.stdout).data.events.map((e: any) => e.subject)).not.toContain('first-admin');
  });

  it('exits 1 with FORBIDDEN for key and audit commands without the admin scope', async () => {
    for (const args of [['key', 'create', '--name', 'x', '--scope', 'read'], ['key', 'list'], ['key', 'revoke', 'some-id'], ['audit', 'list']]) {
      const run = await ficus([...args, '--format', 'json'], as(t.keys.all));
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe('FORBIDDEN');
    }
  });
});
