import { ChildService, ServiceExit } from './child-service';
import { impactOfLosing, SupervisedRole } from './give-up-impact';
import { ReadinessCheck } from './readiness';
import { CrashHistory, RestartPolicy } from './restart-policy';
import { SupervisionEvent } from './supervision-events';

export interface SupervisionOptions {
  policy: RestartPolicy;
  /** Told of each restart and of a service given up on; a `stack-stops` give-up is the caller's to act on. */
  onEvent: (event: SupervisionEvent) => void;
}

/**
 * One service of the stack across the processes that serve it. Once its first process is
 * ready, and when supervision is on, a process that exits without being asked to (a crash,
 * a signal, an OOM kill) is replaced by a new one with the same command, environment and
 * port after a backoff, until the restart policy gives up on it.
 */
export class SupervisedService {
  private current: ChildService;
  private readonly crashes: CrashHistory | undefined;
  private supervising = false;
  private halted = false;
  private gaveUp = false;
  private upSince: number | undefined;
  private downSince: number | undefined;
  private pendingRestart: NodeJS.Timeout | undefined;

  constructor(
    first: ChildService,
    readonly role: SupervisedRole,
    private readonly ready: ReadinessCheck,
    private readonly supervision?: SupervisionOptions,
  ) {
    this.current = first;
    this.crashes = supervision ? new CrashHistory(supervision.policy) : undefined;
  }

  get name(): string {
    return this.current.name;
  }

  /** The process serving it now (a new one after each restart). */
  get child(): ChildService {
    return this.current;
  }

  /** Whether the launcher stopped restarting it. */
  get givenUp(): boolean {
    return this.gaveUp;
  }

  /** Waits until the first process is ready; from then on its crashes are supervised. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    await this.ready(this.current, timeoutMs);
    this.upSince = Date.now();
    if (this.supervision && !this.halted) {
      this.supervising = true;
      this.watch(this.current);
    }
  }

  /** Kills the current process with SIGKILL, as a crash would (supervision, when on, restarts it). */
  crash(): Promise<void> {
    return this.current.crash();
  }

  /** Stops the current process and starts a new one at once, then waits until it is ready. */
  async restart(timeoutMs: number): Promise<void> {
    this.cancelPendingRestart();
    await this.current.stop();
    if (this.halted) return;
    this.gaveUp = false;
    this.current = this.current.relaunch();
    this.watch(this.current);
    await this.ready(this.current, timeoutMs);
    this.upSince = Date.now();
    this.downSince = undefined;
  }

  /** No more restarts from now on, even of a process that crashes while the stack stops. */
  halt(): void {
    this.halted = true;
    this.cancelPendingRestart();
  }

  /** Halts supervision and stops the current process. */
  async stop(): Promise<void> {
    this.halt();
    await this.current.stop();
  }

  private watch(child: ChildService): void {
    if (!this.supervising) return;
    void child.exit.then((exit) => this.onExit(child, exit));
  }

  private onExit(child: ChildService, exit: ServiceExit): void {
    if (this.halted || this.gaveUp || child !== this.current || child.stopping) return;
    const now = Date.now();
    const decision = this.crashes!.recordCrash(now, this.upSince);
    this.upSince = undefined;
    this.downSince ??= now;
    if (decision.action === 'give-up') {
      this.giveUp({ reason: 'crash-limit', crashes: decision.crashes, withinMs: decision.withinMs, exit });
      return;
    }
    this.emit({
      kind: 'restart-scheduled',
      service: this.name,
      at: new Date(now),
      pid: child.pid,
      exit,
      attempt: decision.attempt,
      delayMs: decision.delayMs,
    });
    this.pendingRestart = setTimeout(() => void this.relaunch(decision.attempt), decision.delayMs);
  }

  private async relaunch(attempt: number): Promise<void> {
    this.pendingRestart = undefined;
    if (this.halted) return;
    const child = this.current.relaunch();
    this.current = child;
    this.watch(child);
    const readyTimeoutMs = this.supervision!.policy.readyTimeoutMs;
    try {
      await this.ready(child, readyTimeoutMs);
    } catch {
      // A process that exited before it was ready is a crash, which onExit has counted.
      if (this.halted || child !== this.current || !child.running) return;
      this.giveUp({ reason: 'not-ready', ...this.crashes!.recent(Date.now()), exit: undefined, readyTimeoutMs });
      await child.stop();
      return;
    }
    if (this.halted || child !== this.current) return;
    const now = Date.now();
    this.upSince = now;
    this.emit({ kind: 'restarted', service: this.name, at: new Date(now), pid: child.pid, attempt, downMs: now - (this.downSince ?? now) });
    this.downSince = undefined;
  }

  private giveUp(details: Pick<Extract<SupervisionEvent, { kind: 'gave-up' }>, 'reason' | 'crashes' | 'withinMs' | 'exit' | 'readyTimeoutMs'>): void {
    this.gaveUp = true;
    this.emit({
      kind: 'gave-up',
      service: this.name,
      at: new Date(),
      logFile: this.current.logFile,
      ...details,
      ...impactOfLosing(this.name, this.role),
    });
  }

  private emit(event: SupervisionEvent): void {
    this.supervision?.onEvent(event);
  }

  private cancelPendingRestart(): void {
    if (this.pendingRestart) clearTimeout(this.pendingRestart);
    this.pendingRestart = undefined;
  }
}
