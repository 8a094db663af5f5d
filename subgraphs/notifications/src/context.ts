import type { BaseContext } from '@ficus/kit';
import type { NotificationLoaders } from './graphql/loaders';

export interface NotificationsContext extends BaseContext {
  loaders: NotificationLoaders;
}
