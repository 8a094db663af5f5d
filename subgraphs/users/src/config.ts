import { collectConfigProblems, ConfigError, parseEnv, readSubgraphConfig, SubgraphConfig } from '@ficus/kit';
import { z } from 'zod';
import type { SignInLimits } from './domain/sign-in-throttle';

export interface UsersConfig extends SubgraphConfig {
  /**
   * The Ed25519 key (PEM, PKCS#8) that signs tokens. Without one, development and tests
   * use a key generated once under `dataDir`; production refuses to start.
   */
  jwtPrivateKey: string | null;
  /** How long an issued token is valid. */
  tokenTtlSeconds: number;
  /** An admin account created at start if missing; development and tests only. */
  devAdmin: { email: string; password: string } | null;
  /** Failed sign-ins tolerated per account and per client address within a sliding window. */
  signInLimits: SignInLimits;
}

const usersEnv = {
  JWT_PRIVATE_KEY: z
    .string()
    // Environment files often hold a PEM on one line with literal "\n".
    .transform((pem) => pem.replace(/\\n/g, '\n').trim())
    .refine((pem) => /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/.test(pem), {
      message: 'must be a PEM "BEGIN PRIVATE KEY" block (PKCS#8)',
    })
    .optional(),
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  DEV_ADMIN_EMAIL: z.string().email().optional(),
  DEV_ADMIN_PASSWORD: z.string().min(1).optional(),
  SIGN_IN_WINDOW_MS: z.coerce.number().int().min(100).max(86_400_000).default(900_000),
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  SIGN_IN_MAX_FAILURES_PER_CLIENT: z.coerce.number().int().positive().default(100),
};

/** The shared subgraph variables plus the users service's own, every problem reported at once. */
export function readUsersConfig(processEnv: NodeJS.ProcessEnv = process.env): UsersConfig {
  const problems: string[] = [];
  const shared = collectConfigProblems(problems, () => readSubgraphConfig('users', 4001, processEnv));
  const own = collectConfigProblems(problems, () => parseEnv(usersEnv, processEnv));
  if (!processEnv.JWT_PRIVATE_KEY && processEnv.NODE_ENV === 'production') {
    problems.push('JWT_PRIVATE_KEY: required in production (an Ed25519 private key, PEM PKCS#8)');
  }
  if (processEnv.NODE_ENV === 'production' && (processEnv.DEV_ADMIN_EMAIL || processEnv.DEV_ADMIN_PASSWORD)) {
    problems.push('DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD: a development admin is never created in production');
  }
  if (Boolean(processEnv.DEV_ADMIN_EMAIL) !== Boolean(processEnv.DEV_ADMIN_PASSWORD)) {
    problems.push('DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD: set both or neither');
  }
  if (!shared || !own || problems.length > 0) throw new ConfigError(problems);
  return {
    ...shared,
    jwtPrivateKey: own.JWT_PRIVATE_KEY ?? null,
    tokenTtlSeconds: own.TOKEN_TTL_SECONDS,
    devAdmin:
      own.DEV_ADMIN_EMAIL && own.DEV_ADMIN_PASSWORD ? { email: own.DEV_ADMIN_EMAIL, password: own.DEV_ADMIN_PASSWORD } : null,
    signInLimits: {
      windowMs: own.SIGN_IN_WINDOW_MS,
      maxFailuresPerAccount: own.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerClient: own.SIGN_IN_MAX_FAILURES_PER_CLIENT,
    },
  };
}
