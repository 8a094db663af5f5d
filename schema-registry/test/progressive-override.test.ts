import { partialOverrideRemovals } from '../src/domain/partial-override-rule';
import { OverrideEditError, overridesIn, percentLabel, withOverride, withoutField } from '../src/domain/progressive-override';

const owner = `# the catalog
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Product @key(fields: "id") {
  id: ID!
  # shown on every page
  name: String! # never empty
}
`;

const legacy = (field = '  # links\n  "A slug."\n  slug(style: String): String @deprecated(reason: "old")\n') =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Product @key(fields: "id") {
  id: ID!
${field}  price: Int
}
`;

describe('progressive override SDL edits', () => {
  it("copies a missing field from the old owner, without the old owner's directives, and keeps every comment", () => {
    const sdl = withOverride(owner, 'Product.slug', 'legacy-shop', 'percent(5)', legacy());
    expect(sdl).toBe(`# the catalog
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@override"])
type Product @key(fields: "id") {
  id: ID!
  # shown on every page
  name: String! # never empty
  "A slug."
  slug(style: String): String @override(from: "legacy-shop", label: "percent(5)")
}
`);
    expect(overridesIn('products', sdl)).toEqual([{ subgraph: 'products', coordinate: 'Product.slug', from: 'legacy-shop', label: 'percent(5)' }]);
  });

  it('rewrites an existing @override in place, and drops its label to finish', () => {
    const started = withOverride(owner, 'Product.name', 'legacy-shop', 'percent(0)');
    expect(started).toContain('name: String! @override(from: "legacy-shop", label: "percent(0)") # never empty');
    expect(withOverride(started, 'Product.name', 'legacy-shop', null)).toContain('name: String! @override(from: "legacy-shop") # never empty');
  });

  it('removes a field with its description and the comment lines above it, and nothing else', () => {
    expect(withoutField(legacy(), 'Product.slug')).toBe(legacy(''));
    expect(withoutField(owner, 'Product.name')).not.toContain('shown on every page');
  });

  it('refuses what it cannot edit with a readable reason', () => {
    expect(() => withoutField(owner, 'Product.slug')).toThrow(new OverrideEditError('the SDL does not declare Product.slug'));
    expect(() => withOverride('type Product { id: ID! }', 'Product.id', 'x', null)).toThrow(/no federation 2 @link/);
    expect(() => withOverride(owner, 'Product.slug', 'x', null, 'type Other { slug: String }')).toThrow('neither subgraph declares Product.slug');
    expect(() => withOverride('type {', 'Product.id', 'x', null)).toThrow(/does not parse/);
    for (const bad of [-1, 101, Number.NaN, 0.123456789]) expect(() => percentLabel(bad)).toThrow(/from 0 to 100/);
    expect(percentLabel(12.5)).toBe('percent(12.5)');
  });
});

describe('the partial-override removal rule', () => {
  const products = (label: string | null) =>
    `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@override"])
type Product @key(fields: "id") { id: ID! slug: String @override(from: "legacy-shop"${label === null ? '' : `, label: "${label}"`}) }`;
  const without = legacy('');

  it.each(['percent(0)', 'percent(99.5)', 'beta'])('refuses the old owner without the field while the label is %s', (label) => {
    const errors = partialOverrideRemovals([
      { name: 'legacy-shop', sdl: without },
      { name: 'products', sdl: products(label) },
    ]);
    expect(errors).toEqual([{ code: 'PARTIAL_OVERRIDE_FIELD_REMOVED', message: expect.stringContaining(`(@override label "${label}")`), locations: [] }]);
  });

  it.each([null, 'percent(100)'])('lets the field go once the override is whole (label %s)', (label) => {
    expect(partialOverrideRemovals([{ name: 'legacy-shop', sdl: without }, { name: 'products', sdl: products(label) }])).toEqual([]);
  });

  it('leaves alone an old owner that still declares the field, or that is not published at all', () => {
    expect(partialOverrideRemovals([{ name: 'legacy-shop', sdl: legacy() }, { name: 'products', sdl: products('percent(25)') }])).toEqual([]);
    expect(partialOverrideRemovals([{ name: 'products', sdl: products('percent(25)') }])).toEqual([]);
    expect(partialOverrideRemovals([{ name: 'products', sdl: 'not graphql' }])).toEqual([]);
  });
});
