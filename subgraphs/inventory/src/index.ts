export { build } from './build';
export type { InventoryOptions } from './build';
