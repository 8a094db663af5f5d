import http from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningSubgraph, shopSubgraphs, startSubgraph } from './shop-subgraphs';
import { stopWithParent } from './stop-with-parent';

/** What the subgraphs process prints once all listen: each subgraph's URL, and where its request counts are read. */
export interface SubgraphsAnnouncement {
  urls: Record<string, string>;
  countsUrl: string;
  /**
   * POST here closes the subgraphs' idle connections and runs a full garbage collection in their
   * process, and answers when both are done.
   */
  settleUrl: string;
}

/**
 * Benchmark subgraphs in a process of their own, so that the gateways' CPU is measured alone:
 * those named in BENCH_SUBGRAPHS (comma-separated), or all four. Prints one JSON line (a
 * SubgraphsAnnouncement) once all listen; GET on countsUrl answers the number of GraphQL requests
 * each subgraph has served so far. The gateways share the subgraphs and take turns: POST on settleUrl closes the idle keep-alive
 * connections one gateway's run left open (@apollo/gateway leaves about a hundred per subgraph)
 * and collects the garbage it left, so that the next gateway's run pays for neither.
 */
async function main(): Promise<void> {
  const running: RunningSubgraph[] = [];
  const counts: Record<string, number> = {};
  // Started with --expose-gc (subgraphs-process.ts).
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  const countsServer = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/settle') {
      for (const subgraph of running) subgraph.closeIdleConnections();
      collectGarbage?.();
      res.end(JSON.stringify({ collected: collectGarbage !== undefined }));
      return;
    }
    res.end(JSON.stringify(counts));
  });
  stopWithParent(async () => {
    countsServer.close();
    await Promise.all(running.map((s) => s.stop()));
  });
  const names = process.env.BENCH_SUBGRAPHS?.split(',');
  const served = names ? shopSubgraphs.filter((s) => names.includes(s.name)) : shopSubgraphs;
  if (served.length === 0) throw new Error(`BENCH_SUBGRAPHS names no subgraph: ${process.env.BENCH_SUBGRAPHS}`);
  for (const definition of served) {
    counts[definition.name] = 0;
    running.push(await startSubgraph(definition, () => counts[definition.name]!++));
  }
  await new Promise<void>((resolve) => countsServer.listen(0, '127.0.0.1', resolve));
  const announcement: SubgraphsAnnouncement = {
    urls: Object.fromEntries(running.map((s) => [s.name, s.url])),
    countsUrl: `http://127.0.0.1:${(countsServer.address() as AddressInfo).port}/`,
    settleUrl: `http://127.0.0.1:${(countsServer.address() as AddressInfo).port}/settle`,
  };
  process.stdout.write(`${JSON.stringify(announcement)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench subgraphs: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
