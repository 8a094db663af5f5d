import { Command } from '../command';
import { auditList } from './audit-list';
import { eventsCheck } from './events-check';
import { eventsDescribe } from './events-describe';
import { eventsPublish } from './events-publish';
import { keyCreate } from './key-create';
import { keyList } from './key-list';
import { keyRevoke } from './key-revoke';
import { overrideFinish, overrideRemove, overrideSet, overrideStart } from './override';
import { persistedQueriesPublish } from './persisted-queries-publish';
import { subgraphCheck } from './subgraph-check';
import { subgraphDelete } from './subgraph-delete';
import { subgraphFetch } from './subgraph-fetch';
import { subgraphIntrospect } from './subgraph-introspect';
import { subgraphList } from './subgraph-list';
import { subgraphPublish } from './subgraph-publish';
import { supergraphCompose } from './supergraph-compose';
import { supergraphFetch } from './supergraph-fetch';

/** Every command of the `ficus` CLI; a new command is a module added here. */
export const commands: Command[] = [
  subgraphCheck,
  subgraphPublish,
  subgraphDelete,
  subgraphFetch,
  subgraphList,
  subgraphIntrospect,
  supergraphCompose,
  supergraphFetch,
  overrideStart,
  overrideSet,
  overrideFinish,
  overrideRemove,
  eventsCheck,
  eventsPublish,
  eventsDescribe,
  persistedQueriesPublish,
  keyCreate,
  keyList,
  keyRevoke,
  auditList,
];
