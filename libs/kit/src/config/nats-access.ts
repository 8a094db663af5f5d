import fs from 'node:fs';
import { z } from 'zod';
import { anonymousNatsAccess, NatsAccess, NatsCredentials, splitServerList } from '@ficus/events';

/** How a service reaches NATS beyond its URL list: credentials, TLS, and the replicas its streams get. */
export interface SubgraphNatsAccess extends NatsAccess {
  /** NATS_STREAM_REPLICAS: copies of every stream the service creates (1 on one server, 3 in a cluster). */
  streamReplicas: number;
}

/** What a service gets when nothing is set: anonymous, plain TCP, streams on one server. */
export const defaultNatsAccess: SubgraphNatsAccess = { ...anonymousNatsAccess, streamReplicas: 1 };

const natsServerUrl = /^(nats|tls):\/\/[^,\s]+$/;

/** A file read when the config is, so that a missing or unreadable one is reported with the other variables. */
const readableFile = (check?: { test: (text: string) => boolean; message: string }) =>
  z.string().transform((file, ctx) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return z.NEVER;
    }
    if (check && !check.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${file} ${check.message}` });
      return z.NEVER;
    }
    return text;
  });

export const natsAccessEnv = {
  NATS_URL: z
    .string()
    .refine(
      (list) => list.split(',').every((url) => natsServerUrl.test(url.trim())),
      'must be nats:// or tls:// URLs, comma-separated for a cluster',
    )
    .default('nats://127.0.0.1:4222'),
  NATS_CREDS_FILE: readableFile({
    test: (text) => /BEGIN NATS USER JWT/.test(text) && /BEGIN USER NKEY SEED/.test(text),
    message: 'is not a NATS .creds file (a user JWT and nkey seed)',
  }).optional(),
  NATS_NKEY_SEED_FILE: readableFile({ test: (text) => /^\s*SU[A-Z2-7]{40,}\s*$/.test(text), message: 'does not hold an nkey user seed (SU…)' }).optional(),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TLS_CA: readableFile().optional(),
  NATS_TLS_CERT: readableFile().optional(),
  NATS_TLS_KEY: readableFile().optional(),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

type ParsedNatsAccess = {
  NATS_CREDS_FILE?: string;
  NATS_NKEY_SEED_FILE?: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TLS_CA?: string;
  NATS_TLS_CERT?: string;
  NATS_TLS_KEY?: string;
  NATS_STREAM_REPLICAS: number;
};

/**
 * The combinations the variables cannot express one by one, read from the raw environment so
 * that they are reported together with every malformed variable.
 */
export function natsAccessProblems(processEnv: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (processEnv[name] ?? '') !== '';
  const problems: string[] = [];
  const urlHasUser = set('NATS_URL') && splitServerList(processEnv.NATS_URL!).userInUrl !== null;
  const ways = [
    set('NATS_CREDS_FILE') && 'NATS_CREDS_FILE',
    set('NATS_NKEY_SEED_FILE') && 'NATS_NKEY_SEED_FILE',
    (set('NATS_USER') || set('NATS_PASSWORD')) && 'NATS_USER/NATS_PASSWORD',
    urlHasUser && 'user:password in NATS_URL',
  ].filter((way): way is string => Boolean(way));
  if (ways.length > 1) problems.push(`NATS_CREDS_FILE: give one way to authenticate to NATS, not ${ways.join(' and ')}`);
  if (set('NATS_USER') !== set('NATS_PASSWORD')) problems.push('NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together');
  if (set('NATS_TLS_CERT') !== set('NATS_TLS_KEY')) problems.push('NATS_TLS_KEY: NATS_TLS_CERT and NATS_TLS_KEY go together');
  return problems;
}

/** Builds the access settings from variables that passed `natsAccessEnv` and `natsAccessProblems`. */
export function natsAccessOf(parsed: ParsedNatsAccess): SubgraphNatsAccess {
  const credentials: NatsCredentials = parsed.NATS_CREDS_FILE
    ? { kind: 'creds', creds: parsed.NATS_CREDS_FILE }
    : parsed.NATS_NKEY_SEED_FILE
      ? { kind: 'nkey', seed: parsed.NATS_NKEY_SEED_FILE }
      : parsed.NATS_USER
        ? { kind: 'password', user: parsed.NATS_USER, password: parsed.NATS_PASSWORD ?? '' }
        : { kind: 'none' };
  const tlsGiven = parsed.NATS_TLS_CA || parsed.NATS_TLS_CERT;
  return {
    credentials,
    tls: tlsGiven ? { ca: parsed.NATS_TLS_CA ?? null, cert: parsed.NATS_TLS_CERT ?? null, key: parsed.NATS_TLS_KEY ?? null } : null,
    streamReplicas: parsed.NATS_STREAM_REPLICAS,
  };
}
