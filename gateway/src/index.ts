export * from './build';
export * from './config';
