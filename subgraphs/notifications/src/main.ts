import './tracing';
import { readSubgraphConfig, runService } from '@ficus/kit';
import { build } from './build';

runService('notifications', () => build(readSubgraphConfig('notifications', 4006)));
