import './tracing';
import { runService } from '@ficus/kit';
import { build } from './build';
import { readPaymentsConfig } from './config';

// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('payments', async () => build(readPaymentsConfig(process.env)));
