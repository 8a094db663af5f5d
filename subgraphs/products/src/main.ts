import './tracing';
import { readSubgraphConfig, runService } from '@ficus/kit';
import { build } from './build';

runService('products', () => build(readSubgraphConfig('products', 4002)));
