export * from './databases';
export * from './graphql-client';
export * from './nats-server';
export * from './ports';
export * from './subscription-client';
export * from './http-subscription-client';
export * from './nats-cluster';
export * from './federated-graph';
