import { startTracing } from '@ficus/kit/tracing';

// Imported first by main.ts: the instrumentations patch http and pg only if they start before those load.
startTracing({ serviceName: 'ficus-monolith', graphql: true });
