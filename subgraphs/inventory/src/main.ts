import './tracing';
import { readSubgraphConfig, runService } from '@ficus/kit';
import { build } from './build';

runService('inventory', () => build(readSubgraphConfig('inventory', 4003)));
