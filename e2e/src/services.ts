/** The processes of the stack, in start order: subgraphs and the registry first, the gateway last. */
export interface ServiceSpec {
  name: string;
  /** Folder of the package, from the repository root. */
  dir: string;
  defaultPort: number;
  role: 'subgraph' | 'registry' | 'gateway';
}

export const subgraphs: ServiceSpec[] = [
  { name: 'users', dir: 'subgraphs/users', defaultPort: 4001, role: 'subgraph' },
  { name: 'products', dir: 'subgraphs/products', defaultPort: 4002, role: 'subgraph' },
  { name: 'inventory', dir: 'subgraphs/inventory', defaultPort: 4003, role: 'subgraph' },
  { name: 'orders', dir: 'subgraphs/orders', defaultPort: 4004, role: 'subgraph' },
  { name: 'payments', dir: 'subgraphs/payments', defaultPort: 4005, role: 'subgraph' },
  { name: 'notifications', dir: 'subgraphs/notifications', defaultPort: 4006, role: 'subgraph' },
  // The shop from before federation, strangled field by field (docs/migration.md).
  { name: 'legacy-shop', dir: 'subgraphs/legacy-shop', defaultPort: 4007, role: 'subgraph' },
];

export const gateway: ServiceSpec = { name: 'gateway', dir: 'gateway', defaultPort: 4000, role: 'gateway' };

export const registry: ServiceSpec = { name: 'registry', dir: 'schema-registry', defaultPort: 4100, role: 'registry' };

/** Every process of the stack. */
export const stackServices: ServiceSpec[] = [...subgraphs, registry, gateway];
