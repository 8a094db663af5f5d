import fs from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { stopWithParent } from './stop-with-parent';

/**
 * Plain @apollo/gateway with @apollo/server standalone, nothing of Ficus: the reference the
 * Ficus gateway is compared with. Serves SUPERGRAPH_FILE on 127.0.0.1:PORT at /.
 */
async function main(): Promise<void> {
  const file = process.env.SUPERGRAPH_FILE;
  const port = Number(process.env.PORT);
  if (!file || !Number.isInteger(port) || port <= 0) throw new Error('SUPERGRAPH_FILE and PORT are required');
  const gateway = new ApolloGateway({ supergraphSdl: fs.readFileSync(file, 'utf8') });
  const server = new ApolloServer({ gateway });
  stopWithParent(() => server.stop());
  await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
}

main().catch((err) => {
  process.stderr.write(`apollo gateway: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
