import { connect, credsAuthenticator, NatsConnection, nkeyAuthenticator, NodeConnectionOptions, Status } from '@nats-io/transport-node';
import { Logger } from './logger';

const connected = new WeakMap<NatsConnection, boolean>();

const RECONNECT_WAIT_MS = 500;

/** How a service proves who it is to NATS; file contents are read once, when the config is. */
export type NatsCredentials =
  | { kind: 'none' }
  /** NATS_CREDS_FILE: a decentralised-auth user (JWT and nkey seed in one .creds file). */
  | { kind: 'creds'; creds: string }
  /** NATS_NKEY_SEED_FILE: an nkey user configured on the server. */
  | { kind: 'nkey'; seed: string }
  /** NATS_USER and NATS_PASSWORD, or user:password in NATS_URL. */
  | { kind: 'password'; user: string; password: string };

/** NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY, as PEM text. */
export interface NatsTls {
  ca: string | null;
  cert: string | null;
  key: string | null;
}

/** Everything about reaching NATS beyond the server list; a connection without it is anonymous and plain. */
export interface NatsAccess {
  credentials: NatsCredentials;
  /** Null: plain TCP unless a server URL says tls:// or the server requires TLS. */
  tls: NatsTls | null;
}

export const anonymousNatsAccess: NatsAccess = { credentials: { kind: 'none' }, tls: null };

/** Whether a connection made by `connectNats` is up right now (for readiness checks). */
export function isNatsConnected(nc: NatsConnection): boolean {
  return !nc.isClosed() && connected.get(nc) === true;
}

/**
 * The client options every service connects with. It keeps reconnecting forever, trying
 * each cluster member it knows of (those in the URL and those the cluster announces): a NATS
 * outage or a lost node must never take a service down, only delay its events (the outbox
 * holds them meanwhile).
 */
export function natsConnectionOptions(url: string, access: NatsAccess, name: string): NodeConnectionOptions {
  const { servers, userInUrl } = splitServerList(url);
  const credentials = access.credentials.kind === 'none' && userInUrl ? userInUrl : access.credentials;
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    // `connectNats` waits for the first connection itself, so that it can say why it waits and
    // give up on what waiting cannot fix (a refused login, a certificate that does not match).
    waitOnFirstConnect: false,
    pingInterval: 5_000,
    ...authOptions(credentials),
    ...(access.tls ? { tls: tlsOptions(access.tls) } : {}),
  };
}

/**
 * Connects with `natsConnectionOptions`, waiting for NATS as long as it takes (a service may
 * start before its NATS), with a warning each time no server answers. A refused login or a
 * TLS failure is not retried: it would fail the same way forever, so the service fails to
 * start and says why.
 */
export async function connectNats(options: { url: string; access?: NatsAccess; name: string; logger: Logger }): Promise<NatsConnection> {
  const { url, name, logger } = options;
  const connectionOptions = natsConnectionOptions(url, options.access ?? anonymousNatsAccess, name);
  let nc: NatsConnection | null = null;
  for (let attempt = 1; !nc; attempt++) {
    try {
      nc = await connect(connectionOptions);
    } catch (err) {
      const reason = describeConnectError(err);
      if (!isWorthRetrying(err)) throw new Error(`cannot connect to NATS at ${redactedServers(url)}: ${reason}`, { cause: err });
      if (attempt === 1 || attempt % 20 === 0) logger.warn({ nats: { servers: redactedServers(url), attempt }, reason }, 'waiting for nats');
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_WAIT_MS));
    }
  }
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

/**
 * The server URLs of a comma-separated NATS_URL, without credentials, and the user:password
 * found in them: the 3.x client ignores credentials in a server URL, so they are passed as options.
 */
export function splitServerList(url: string): { servers: string[]; userInUrl: Extract<NatsCredentials, { kind: 'password' }> | null } {
  let userInUrl: Extract<NatsCredentials, { kind: 'password' }> | null = null;
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((server) => {
      const parsed = URL.canParse(server) ? new URL(server) : null;
      if (!parsed || !parsed.username) return server;
      userInUrl ??= { kind: 'password', user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
      parsed.username = '';
      parsed.password = '';
      return parsed.toString().replace(/\/$/, '');
    });
  return { servers, userInUrl };
}

/** NATS_URL as it may be logged. */
export function redactedServers(url: string): string {
  return splitServerList(url).servers.join(',');
}

function authOptions(credentials: NatsCredentials): Partial<NodeConnectionOptions> {
  const encoder = new TextEncoder();
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'creds':
      return { authenticator: credsAuthenticator(encoder.encode(credentials.creds)) };
    case 'nkey':
      return { authenticator: nkeyAuthenticator(encoder.encode(credentials.seed.trim())) };
    case 'password':
      return { user: credentials.user, pass: credentials.password };
  }
}

function tlsOptions(tls: NatsTls): NonNullable<NodeConnectionOptions['tls']> {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
  };
}

/** The client's errors name a code (AUTHORIZATION_VIOLATION, …) rather than a sentence; both are kept. */
function describeConnectError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/authorization|authentication/i.test(message)) return `NATS refused the credentials (${message}); check NATS_CREDS_FILE, NATS_NKEY_SEED_FILE or NATS_USER/NATS_PASSWORD`;
  if (/certificate|altnames|self[- ]signed|tls|ssl|handshake/i.test(message)) return `TLS failed (${message}); check NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY`;
  return message;
}

/** No server answered (refused, unreachable, timed out): NATS may come. Anything else will fail again. */
function isWorthRetrying(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  if (/authori[sz]ation|authentication|certificate|altnames|self[- ]signed|tls|ssl|handshake/i.test(message)) return false;
  return true;
}

/** What a status event names (the server, or the error), as the log line's `data`. */
function statusDetail(status: Status): string {
  if ('server' in status) return status.server;
  if ('error' in status) return String(status.error);
  return '';
}
