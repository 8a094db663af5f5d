import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  freePort,
  graphql,
  GraphQLResponse,
  startTestNatsServer,
  TestDatabase,
  TestNatsServer,
} from '@ficus/testkit';
import { contractOperations } from '../src/operations';
import { stackServices, subgraphs } from '../src/services';
import { RunningStack, startStack } from '../src/stack';

export const devAdmin = { email: 'admin@example.com', password: 'admin' };

export interface TestStack {
  stack: RunningStack;
  nats: TestNatsServer;
  /** Where the stack keeps its files: each service's log is `logs/<service>.log`. */
  dataDir: string;
  /** Each subgraph's own database (and the registry's), for checks that no API shows (the payment provider's ledger). */
  databaseUrls: Record<string, string>;
  /** Sends a contract operation by name through the gateway. */
  send(operationName: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<any>>;
  /** Any other request through the gateway. */
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<any>>;
  signIn(email: string, password: string): Promise<string>;
  dispose(): Promise<void>;
}

/** A fresh PostgreSQL database for each subgraph and the registry, named after the test file's label. */
export async function createStackDatabases(label: string): Promise<{ databases: TestDatabase[]; databaseUrls: Record<string, string> }> {
  const databases: TestDatabase[] = [];
  const databaseUrls: Record<string, string> = {};
  for (const spec of [...subgraphs, { name: 'registry' }]) {
    const db = await createTestDatabase('postgres', `${label}_${spec.name}`);
    if (db.target.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
    databases.push(db);
    databaseUrls[spec.name] = db.target.url;
  }
  return { databases, databaseUrls };
}

/**
 * The real stack for one test file: every service a child process on free ports, each
 * subgraph and the registry with its own fresh PostgreSQL database, and a NATS server of the file's own.
 */
export async function startTestStack(label: string, env: Record<string, string> = {}): Promise<TestStack> {
  const nats = await startTestNatsServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ficus-${label}-`));
  const { databases, databaseUrls } = await createStackDatabases(label);
  const ports: Record<string, number> = {};
  for (const spec of stackServices) ports[spec.name] = await freePort();

  const dispose = async () => {
    await stack?.stop();
    for (const db of databases) await db.drop();
    await nats.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let stack: RunningStack | undefined;
  try {
    stack = await startStack({
      dataDir,
      natsUrl: nats.url,
      nodeEnv: 'test',
      logLevel: 'info',
      ports,
      databaseUrls,
      devAdmin,
      env,
    });
  } catch (err) {
    await dispose();
    throw err;
  }
  const running = stack;
  const operations = contractOperations();
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  const request: TestStack['request'] = (query, variables, token) => graphql(running.gatewayUrl, query, variables, auth(token));
  return {
    stack: running,
    nats,
    dataDir,
    databaseUrls,
    request,
    send(name, variables, token) {
      const query = operations.get(name);
      if (!query) throw new Error(`no contract operation named ${name}`);
      return request(query, variables, token);
    },
    async signIn(email, password) {
      const res = await request(
        'mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
        { email, password },
      );
      if (!res.data?.signIn) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
      return res.data.signIn.token as string;
    },
    dispose,
  };
}
