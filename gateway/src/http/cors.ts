import cors from 'cors';
import type { RequestHandler } from 'express';

/** The hosted Apollo Sandbox, which calls a local gateway straight from the browser. */
export const apolloSandboxOrigin = 'https://studio.apollographql.com';

/** Lets the Sandbox and the configured front ends call the gateway, with credentials; answers preflights. */
export function corsFor(origins: string[]): RequestHandler {
  return cors({ origin: [apolloSandboxOrigin, ...origins], credentials: true, maxAge: 600 });
}
