import { build as buildInventory } from '@ficus/inventory';
import { collectConfigProblems, ConfigError, parseEnv, readSubgraphConfig, SubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { build as buildNotifications } from '@ficus/notifications';
import { build as buildOrders, readOrdersConfig } from '@ficus/orders';
import { build as buildPayments, readPaymentsConfig } from '@ficus/payments';
import { build as buildProducts } from '@ficus/products';
import { build as buildUsers, readUsersConfig } from '@ficus/users';
import { z } from 'zod';

/** A subgraph the monolith can serve: its package's own config reader and `build`, as its `main.ts` uses them. */
interface ModuleDefinition<C extends SubgraphConfig> {
  read(env: NodeJS.ProcessEnv): C;
  build(config: C): Promise<SubgraphHandle>;
}

const define = <C extends SubgraphConfig>(definition: ModuleDefinition<C>) => definition;

/** The modules, in the order they start (and the reverse of the order they stop). */
export const moduleDefinitions = {
  users: define({ read: readUsersConfig, build: buildUsers }),
  products: define({ read: (env) => readSubgraphConfig('products', 4002, env), build: buildProducts }),
  inventory: define({ read: (env) => readSubgraphConfig('inventory', 4003, env), build: (config) => buildInventory(config) }),
  orders: define({ read: readOrdersConfig, build: (config) => buildOrders(config) }),
  payments: define({ read: readPaymentsConfig, build: (config) => buildPayments(config) }),
  notifications: define({ read: (env) => readSubgraphConfig('notifications', 4006, env), build: (config) => buildNotifications(config) }),
};

export type ModuleName = keyof typeof moduleDefinitions;

export const moduleNames = Object.keys(moduleDefinitions) as ModuleName[];

/** A module with its configuration read: started by `start`. */
export interface ConfiguredModule {
  name: ModuleName;
  config: SubgraphConfig;
  /** ROUTING_URL: the URL the module is published under, when not its own listener's (a service name, behind HOST=0.0.0.0). */
  routingUrl: string | null;
  start(): Promise<SubgraphHandle>;
}

const routingUrlEnv = { ROUTING_URL: z.url({ protocol: /^https?$/ }).optional() };

export function configureModule(name: ModuleName, env: NodeJS.ProcessEnv): ConfiguredModule {
  const definition = moduleDefinitions[name] as ModuleDefinition<SubgraphConfig>;
  const problems: string[] = [];
  const config = collectConfigProblems(problems, () => definition.read(env));
  const own = collectConfigProblems(problems, () => parseEnv(routingUrlEnv, env));
  if (!config || !own) throw new ConfigError(problems);
  return { name, config, routingUrl: own.ROUTING_URL ?? null, start: () => definition.build(config) };
}
