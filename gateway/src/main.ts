import './tracing';
import { runService } from '@ficus/kit/service';
import { build } from './build';
import { readGatewayConfig } from './config';

runService('gateway', async () => build(readGatewayConfig(process.env)));
