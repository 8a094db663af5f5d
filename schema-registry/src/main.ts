import './tracing';
import { runService } from '@ficus/kit';
import { build } from './build';
import { readRegistryConfig } from './config';

runService('schema-registry', () => build(readRegistryConfig()));
