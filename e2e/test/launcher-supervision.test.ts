import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { graphql, isPortOpen, startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { CrashHistory, defaultRestartPolicy } from '../src/restart-policy';
import { LauncherRun } from './launcher-harness';

describe('the restart policy', () => {
  const second = 1_000;

  it('waits 0.5 s before the first restart and doubles the wait each crash, up to 10 s', () => {
    const history = new CrashHistory(defaultRestartPolicy);
    const delays = [0, 1, 2, 3, 4, 5, 6].map((i) => history.recordCrash(i * 100 * second, undefined));
    expect(delays.map((d) => (d.action === 'restart' ? d.delayMs : d.action))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('gives up at the fifth crash within 60 s, and not when the crashes are further apart', () => {
    const history = new CrashHistory(defaultRestartPolicy);
    const decisions = [0, 5, 10, 20, 40].map((s) => history.recordCrash(s * second, undefined));
    expect(decisions.map((d) => d.action)).toEqual(['restart', 'restart', 'restart', 'restart', 'give-up']);
    expect(decisions[4]).toEqual({ action: 'give-up', crashes: 5, withinMs: 40 * second });

    const spread = new CrashHistory(defaultRestartPolicy);
    const spreadDecisions = [0, 20, 40, 61, 81, 101].map((s) => spread.recordCrash(s * second, undefined));
    expect(spreadDecisions.every((d) => d.action === 'restart')).toBe(true);
  });

  it('starts again from 0.5 s, with no crash counted, once the service stayed up 60 s', () => {
    const history = new CrashHistory(defaultRestartPolicy);
    for (const s of [0, 2, 5, 10]) history.recordCrash(s * second, undefined);
    const afterShortUptime = history.recordCrash(40 * second, 30 * second);
    expect(afterShortUptime).toEqual({ action: 'give-up', crashes: 5, withinMs: 40 * second });

    const other = new CrashHistory(defaultRestartPolicy);
    for (const s of [0, 2, 5, 10]) other.recordCrash(s * second, undefined);
    expect(other.recordCrash(75 * second, 15 * second)).toEqual({ action: 'restart', attempt: 1, delayMs: 500 });
  });
});

describe('npm start when a service crashes', () => {
  let nats: TestNatsServer;
  let run: LauncherRun;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    run = await LauncherRun.start('ficus-supervise-', nats.url);
  });

  afterAll(async () => {
    run?.dispose();
    await nats?.dispose();
  });

  it('restarts a subgraph killed with SIGKILL with the same environment and port, says so, and serves it again', async () => {
    const oldPid = run.pidOf('products');
    const oldEnvironment = environmentOf(oldPid);
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');

    const scheduled = await run.waitForEvent((e) => e.launcher === 'restart-scheduled' && e.service === 'products', 'the restart line');
    expect(scheduled).toMatchObject({ pid: oldPid, exitCode: null, signal: 'SIGKILL', attempt: 1, delayMs: 500 });
    expect(scheduled.line).toContain('products   warn  exited unexpectedly (signal SIGKILL');
    const restarted = await run.waitForEvent((e) => e.launcher === 'restarted' && e.service === 'products', 'the ready-again line', 60_000);
    expect(restarted).toMatchObject({ attempt: 1 });
    expect(restarted.pid).not.toBe(oldPid);

    expect(environmentOf(restarted.pid as number)).toEqual(oldEnvironment);
    expect((await fetch(`http://127.0.0.1:${run.ports.products}/ready`)).status).toBe(200);
    const catalog = await waitFor(
      async () => {
        const res = await graphql(run.gatewayUrl, '{ products(first: 50) { totalCount } }');
        return res.errors ? null : res.data;
      },
      { what: 'the catalog through the gateway' },
    );
    expect(catalog.products.totalCount).toBe(5);
    process.stdout.write(`products killed: serving through the gateway again after ${Date.now() - killedAt} ms\n`);
  });

  it('gives up on a subgraph that crashes at every start, names its log, and keeps the rest of the stack serving', async () => {
    // The process running keeps its open database; every new one finds a folder in its place and exits 1.
    breakDatabase(run.dataDir, 'notifications');
    const killedAt = Date.now();
    process.kill(run.pidOf('notifications'), 'SIGKILL');

    const gaveUp = await run.waitForEvent((e) => e.launcher === 'gave-up' && e.service === 'notifications', 'the give-up line', 90_000);
    process.stdout.write(`notifications crashing at every start: given up on after ${Date.now() - killedAt} ms\n`);
    const logFile = path.join(run.dataDir, 'logs', 'notifications.log');
    expect(gaveUp).toMatchObject({ reason: 'crash-limit', crashes: 5, exitCode: 1, log: logFile, consequence: 'degraded' });
    expect(gaveUp.line).toContain(`GAVE UP on notifications: it crashed 5 times in`);
    expect(gaveUp.line).toContain(`Its log: ${logFile}`);
    expect(gaveUp.line).toContain('keeps running without it, DEGRADED');
    expect(fs.readFileSync(logFile, 'utf8')).toContain('Unable to open connection to local database');
    const restarts = run.events().filter((e) => e.launcher === 'restart-scheduled' && e.service === 'notifications');
    expect(restarts.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 500],
      [2, 1_000],
      [3, 2_000],
      [4, 4_000],
    ]);

    expect(run.exitCode).toBeNull();
    expect(await isPortOpen(run.ports.notifications!)).toBe(false);
    const catalog = await graphql(run.gatewayUrl, '{ products(first: 50) { totalCount } }');
    expect(catalog.data?.products.totalCount).toBe(5);
  });

  it('stops everything on Ctrl-C while a crashed service waits for its restart, and starts nothing after', async () => {
    breakDatabase(run.dataDir, 'inventory');
    process.kill(run.pidOf('inventory'), 'SIGKILL');
    const waiting = await run.waitForEvent(
      (e) => e.launcher === 'restart-scheduled' && e.service === 'inventory' && e.attempt === 3,
      'inventory to wait 2 s for its third restart',
      60_000,
    );
    expect(waiting.delayMs).toBe(2_000);

    const code = await run.interrupt();
    expect(code).toBe(0);
    expect(run.output).toContain('stopped: nothing left running (given up on before: notifications)');
    expect(run.events().filter((e) => e.service === 'inventory').at(-1)?.line).toBe(waiting.line);
    await run.waitUntilNothingRunning(20_000);
    for (const port of Object.values(run.ports)) expect(await isPortOpen(port)).toBe(false);
  });
});

describe('npm start when the gateway keeps crashing', () => {
  let nats: TestNatsServer;
  let run: LauncherRun;
  let squatter: net.Server | undefined;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    run = await LauncherRun.start('ficus-supervise-gw-', nats.url);
  });

  afterAll(async () => {
    run?.dispose();
    await new Promise((resolve) => (squatter ? squatter.close(resolve) : resolve(undefined)));
    await nats?.dispose();
  });

  it('gives up on the gateway and stops the whole stack with exit code 1, since nothing reaches the graph without it', async () => {
    const port = run.ports.gateway!;
    process.kill(run.pidOf('gateway'), 'SIGKILL');
    // Another program takes the port the moment the gateway is gone, well before its restart
    // 0.5 s later: each new gateway then fails to listen and exits 1.
    squatter = await waitFor(() => listenOn(port), { timeoutMs: 5_000, intervalMs: 10, what: `port ${port} to be free` });

    const gaveUp = await run.waitForEvent((e) => e.launcher === 'gave-up' && e.service === 'gateway', 'the give-up line', 90_000);
    expect(gaveUp).toMatchObject({ reason: 'crash-limit', crashes: 5, consequence: 'stack-stops' });
    expect(gaveUp.line).toContain('Nothing can reach the graph without the gateway. The launcher stops the whole stack.');
    expect(await run.exited).toBe(1);
    expect(run.output).toContain('stopped: nothing left running (given up on before: gateway)');
    await run.waitUntilNothingRunning(20_000);
    for (const [name, servicePort] of Object.entries(run.ports)) {
      if (name !== 'gateway') expect(await isPortOpen(servicePort)).toBe(false);
    }
  });
});

/** Puts a folder where a subgraph's SQLite file was: the running process keeps its open file, a new one cannot open it. */
function breakDatabase(dataDir: string, service: string): void {
  const file = path.join(dataDir, `${service}.sqlite`);
  fs.renameSync(file, `${file}.moved`);
  fs.mkdirSync(file);
}

/** A server on the port that accepts connections and closes them, or undefined while the port is taken. */
function listenOn(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A process's environment, from /proc (the tests run on Linux). */
function environmentOf(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).sort();
}
