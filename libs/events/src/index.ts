export * from './envelope';
export * from './contract';
export * from './contracts';
export * from './logger';
export * from './streams';
export * from './connection';
export * from './publisher';
export * from './consumer';
