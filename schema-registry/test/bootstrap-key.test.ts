import { ConfigError } from '@ficus/kit';
import { createTestDatabase } from '@ficus/testkit';
import { build, readRegistryConfig } from '../src';

const query = '{ variant(ref: "shop@current") { subgraphs { name } } }';

async function ask(url: string, key: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

describe('the development bootstrap key', () => {
  it('is stored at start with every scope, and a new one replaces the last', async () => {
    const db = await createTestDatabase('sqlite', 'bootstrap');
    const first = `ficus_${'a'.repeat(43)}`;
    const second = `ficus_${'b'.repeat(43)}`;
    const config = readRegistryConfig({ LOG_LEVEL: 'silent', PORT: '0', NODE_ENV: 'test', REGISTRY_BOOTSTRAP_KEY: first });
    let registry = await build({ ...config, database: db.target });
    try {
      expect((await ask(registry.url, first)).errors).toBeUndefined();
      await registry.stop();

      registry = await build({ ...config, database: db.target, bootstrapKey: second });

      expect((await ask(registry.url, second)).errors).toBeUndefined();
      expect((await ask(registry.url, first)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await registry.stop();
      await db.drop();
    }
  });

  it('is refused when NODE_ENV=production', () => {
    expect(() => readRegistryConfig({ NODE_ENV: 'production', REGISTRY_BOOTSTRAP_KEY: `ficus_${'a'.repeat(43)}` })).toThrow(ConfigError);
    expect(() => readRegistryConfig({ NODE_ENV: 'production', REGISTRY_BOOTSTRAP_KEY: `ficus_${'a'.repeat(43)}` })).toThrow(
      /REGISTRY_BOOTSTRAP_KEY: refused when NODE_ENV=production/,
    );
  });
});
