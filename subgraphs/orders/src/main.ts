import './tracing';
import { runService } from '@ficus/kit';
import { build } from './build';
import { readOrdersConfig } from './config';

// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('orders', async () => build(readOrdersConfig(process.env)));
