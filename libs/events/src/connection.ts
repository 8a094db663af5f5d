import { connect, NatsConnection, Status } from '@nats-io/transport-node';
import { Logger } from './logger';

const connected = new WeakMap<NatsConnection, boolean>();

/** Whether a connection made by `connectNats` is up right now (for readiness checks). */
export function isNatsConnected(nc: NatsConnection): boolean {
  return !nc.isClosed() && connected.get(nc) === true;
}

/**
 * Connects to NATS and keeps reconnecting forever: a NATS outage must never take a
 * service down, only delay its events (the outbox holds them meanwhile).
 */
export async function connectNats(options: { url: string; name: string; logger: Logger }): Promise<NatsConnection> {
  const { url, name, logger } = options;
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 5_000,
  });
  connected.set(nc, true);
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected.set(nc, false);
      if (status.type === 'reconnect') connected.set(nc, true);
      const fields = { nats: { type: status.type, data: statusDetail(status) } };
      if (status.type === 'disconnect' || status.type === 'error') logger.warn(fields, 'nats connection status');
      else if (status.type === 'reconnect') logger.info(fields, 'nats reconnected');
    }
  })();
  logger.info({ nats: { server: nc.getServer() } }, 'connected to nats');
  return nc;
}

/** What a status event names (the server, or the error), as the log line's `data`. */
function statusDetail(status: Status): string {
  if ('server' in status) return status.server;
  if ('error' in status) return String(status.error);
  return '';
}
