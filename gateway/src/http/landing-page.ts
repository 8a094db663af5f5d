import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { NodeEnv } from '../config';

/** The embedded Apollo Sandbox for a browser GET in development; nothing in production. */
export function landingPageFor(nodeEnv: NodeEnv): ApolloServerPlugin {
  return nodeEnv === 'production'
    ? ApolloServerPluginLandingPageDisabled()
    : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true });
}
