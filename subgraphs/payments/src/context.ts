import type { BaseContext } from '@ficus/kit';
import type { PaymentLoaders } from './graphql/loaders';

export interface PaymentsContext extends BaseContext {
  loaders: PaymentLoaders;
}
