import './tracing';
import { runService } from '@ficus/kit';
import { build } from './build';
import { readUsersConfig } from './config';

// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('users', async () => build(readUsersConfig(process.env)));
