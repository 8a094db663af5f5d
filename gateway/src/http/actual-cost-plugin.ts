import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../execution/gateway-context';
import { actualCost } from '../safety';

/**
 * Measures each served operation's actual cost from its response (demand control's second
 * half), reports both costs to `record`, and in development adds them to the response's
 * `extensions.cost` so a client developer sees what an operation costs.
 */
export function actualCostPlugin(options: {
  record(estimated: number, actual: number): void;
  inResponse: boolean;
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, logger }) {
          const admitted = contextValue.admitted;
          if (!admitted || response.body.kind !== 'single') return;
          const { singleResult } = response.body;
          try {
            const { served, document, operationName, coercedVariables, estimatedCost } = admitted;
            const actual = actualCost(served.costModel, served.apiSchema, document, operationName, coercedVariables, singleResult.data ?? null);
            options.record(estimatedCost, actual);
            if (options.inResponse) singleResult.extensions = { ...singleResult.extensions, cost: { estimated: estimatedCost, actual } };
          } catch (err) {
            logger.warn(`actual cost not measured: ${(err as Error).message}`);
          }
        },
      };
    },
  };
}
