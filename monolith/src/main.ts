import './tracing';
import { runService } from '@ficus/kit';
import { build } from './build';
import { readMonolithConfig } from './config';

// Serving only: each module's database is migrated at its start, or by its own `main.js migrate`.
runService('monolith', async () => build(readMonolithConfig(process.env)));
