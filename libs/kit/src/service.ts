// The part of the kit a service that is not a subgraph needs (the gateway): configuration,
// logging, the HTTP app's middleware, metrics, identity and request signatures. Importing it
// loads no database, NATS or GraphQL server code.
export * from './config/parse-config';
export * from './config/identity-signing-secret';
export * from './config/reuse-port';
export * from './config/request-bodies';
export * from './errors';
export * from './http/http-app';
export * from './http/abandonment';
export * from './http/client-errors';
export * from './http/receive-timeouts';
export * from './http/request-body-budget';
export * from './http/silent-connections';
export * from './http/trace-id';
export * from './identity';
export * from './logger';
export * from './metrics/service-metrics';
export * from './request-signature';
export * from './subgraph/run-service';
export { currentTraceId, tracingEnabled } from './telemetry/tracing';
export * from './subscriptions/shared-reads';
export * from './subscriptions/close-websockets';
