import { ServiceSpec } from './services';
import { GiveUpConsequence } from './supervision-events';

/** What the launcher supervises: the stack's services and a NATS server it started itself. */
export type SupervisedRole = ServiceSpec['role'] | 'nats';

/**
 * What the stack is without a service given up on. Only the gateway's loss stops the stack:
 * with any other service gone the graph still answers what does not need it (as a router does
 * for a subgraph that is down), so the developer keeps the rest and reads the log.
 */
export function impactOfLosing(name: string, role: SupervisedRole): { consequence: GiveUpConsequence; impact: string } {
  switch (role) {
    case 'gateway':
      return { consequence: 'stack-stops', impact: 'Nothing can reach the graph without the gateway.' };
    case 'registry':
      return {
        consequence: 'degraded',
        impact: 'the gateway keeps serving the supergraph it has; publishing, checks and usage reports fail.',
      };
    case 'nats':
      return {
        consequence: 'degraded',
        impact: 'no events flow: changes wait in each outbox, sagas stall, and subgraphs answer /ready with 200 degraded (nats down).',
      };
    case 'subgraph':
      return {
        consequence: 'degraded',
        impact: `operations that need ${name} fail (the gateway answers them with errors), the rest of the graph works, and events for ${name} wait in NATS.`,
      };
  }
}
