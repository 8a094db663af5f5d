export * from './stack';
export * from './seed';
export * from './operations';
export * from './services';
export * from './registry-setup';
export * from './node-options';
export * from './migrate-stack';
export * from './service-env';
export { monolithService } from './monolith-stack';
