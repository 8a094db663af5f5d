import { RunningSubgraph, shopSubgraphs, startSubgraph } from './shop-subgraphs';
import { stopWithParent } from './stop-with-parent';

/**
 * The benchmark's four subgraphs in a process of their own, so that the gateways' CPU is
 * measured alone. Prints one JSON line naming each subgraph's URL once all listen.
 */
async function main(): Promise<void> {
  const running: RunningSubgraph[] = [];
  stopWithParent(async () => {
    await Promise.all(running.map((s) => s.stop()));
  });
  for (const definition of shopSubgraphs) running.push(await startSubgraph(definition));
  process.stdout.write(`${JSON.stringify(Object.fromEntries(running.map((s) => [s.name, s.url])))}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench subgraphs: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
