export { build, type MonolithHandle } from './build';
export { partEnv, readMonolithConfig, type MonolithConfig } from './config';
export { moduleNames, type ModuleName } from './modules';
