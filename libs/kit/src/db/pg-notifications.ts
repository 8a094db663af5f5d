import { Client } from 'pg';
import type { Logger } from 'pino';

export interface PgNotificationsOptions {
  url: string;
  /** A lower-case identifier, the same in every process of the service. */
  channel: string;
  /** Called with each payload sent on the channel, by any process, this one included. */
  onMessage(payload: string): void;
  /** Called after a lost connection is back: notifications sent meanwhile were missed. */
  onReconnected(): void;
  logger: Logger;
  /** Delay before each reconnection attempt. */
  reconnectMs?: number;
}

/**
 * One PostgreSQL channel that every process of a service LISTENs on, so that something done in
 * one process (a publish) reaches all of them at once. The LISTEN needs a connection of its own,
 * outside the ORM's pool, held for the life of the service; a lost one is replaced.
 */
export class PgNotifications {
  private client: Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  private constructor(private readonly options: PgNotificationsOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`channel ${options.channel} must be a lower-case identifier`);
  }

  /** Connects and LISTENs; fails if PostgreSQL cannot be reached now. */
  static async listen(options: PgNotificationsOptions): Promise<PgNotifications> {
    const notifications = new PgNotifications(options);
    await notifications.connect();
    return notifications;
  }

  /** Sends `payload` to every listening process. Best effort: a failure is logged, not thrown. */
  async notify(payload: string): Promise<void> {
    try {
      if (!this.client) throw new Error('not connected');
      await this.client.query('select pg_notify($1, $2)', [this.options.channel, payload]);
    } catch (err) {
      this.options.logger.warn({ err: String(err), channel: this.options.channel }, 'could not notify the other processes');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) this.options.onMessage(message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${this.options.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
  }

  private lost(client: Client, err: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.options.logger.warn({ err: String(err), channel: this.options.channel }, 'lost the notification connection; reconnecting');
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().then(
        () => this.closed || this.options.onReconnected(),
        () => this.closed || this.reconnectLater(),
      );
    }, this.options.reconnectMs ?? 1_000);
  }
}
