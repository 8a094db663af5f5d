export { build } from './build';
export type { NotificationsOptions } from './build';
