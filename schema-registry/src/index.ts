export * from './compose';
export * from './supergraph-config';
export * from './build';
export * from './config';
