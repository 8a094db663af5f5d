import { runService } from '@ficus/kit';
import { build } from './build';
import { readGatewayConfig } from './config';

runService('gateway', async () => build(readGatewayConfig(process.env)));
