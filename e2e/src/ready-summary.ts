import path from 'node:path';
import { RunningStack } from './stack';

/** What `npm start` prints once the stack is up: where each service listens, its pid, the demo login. */
export function readySummary(
  stack: RunningStack,
  details: { seconds: string; dataDir: string; devAdmin?: { email: string; password: string }; seeded: number },
): string[] {
  const processOf = (name: string) => stack.services.find((service) => service.name === name);
  // In monolith mode the gateway and the modules not extracted share the monolith's process.
  const pidOf = (name: string) => processOf(name)?.pid ?? (processOf('monolith') ? `${processOf('monolith')!.pid} (monolith)` : undefined);
  return [
    '',
    `Ficus is ready (${details.seconds} s).`,
    `  gateway      ${stack.gatewayUrl}   pid ${pidOf('gateway')}   (open it in a browser for Apollo Sandbox)`,
    ...Object.entries(stack.urls)
      .filter(([name]) => name !== 'gateway')
      .map(([name, url]) => `  ${name.padEnd(12)} ${url}   pid ${pidOf(name)}`),
    ...(stack.urls.registry
      ? [`  console      ${stack.urls.registry.replace(/\/graphql$/, '/console/')}   (sign in with a key: DATA_DIR=${details.dataDir} npx ficus key create --name me --scope read --scope admin)`]
      : []),
    `  supergraph   ${stack.registry.graphRef} from the registry; the gateway reloads each publish`,
    `  nats         ${stack.nats.url}${stack.nats.service ? ` (started by Ficus, pid ${stack.nats.service.child.pid})` : ''}`,
    `  logs         ${path.join(details.dataDir, 'logs')}/<service>.log; a service that crashes is restarted`,
    details.devAdmin
      ? `  admin        ${details.devAdmin.email} / ${details.devAdmin.password}   (development only)`
      : '  production mode: no development admin, no demo data',
    details.devAdmin ? `  demo data    ${details.seeded} products created` : '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
}
