import cors from 'cors';
import type { HttpStage } from './gateway-request';

/**
 * Apollo Sandbox's origins: the hosted one, which calls a local gateway straight from the
 * browser, and the embedded one, whose iframe the gateway's landing page loads.
 */
export const apolloSandboxOrigins = ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'];

/** The browser origins that may call the gateway: Apollo Sandbox and the configured front ends. */
export function allowedOrigins(configured: string[]): Set<string> {
  return new Set([...apolloSandboxOrigins, ...configured]);
}

/** Lets the allowed origins call the gateway, with credentials; answers preflights. */
export function corsFor(origins: Set<string>): HttpStage {
  return cors({ origin: [...origins], credentials: true, maxAge: 600 });
}
