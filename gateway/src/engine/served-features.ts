import type { DocumentNode } from 'graphql';
import { authorizationFeatures } from '../authorization';
import { supergraphLinks } from '../supergraph/supergraph-links';

/**
 * The features @apollo/gateway serves (`DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES` of
 * @apollo/federation-internals, which a test keeps this list equal to): written out so that the
 * Ficus engine checks a supergraph without loading that module.
 */
const apolloGatewayFeatures = [
  'https://specs.apollo.dev/core/v0.1',
  'https://specs.apollo.dev/core/v0.2',
  ...['0.1', '0.2', '0.3', '0.4', '0.5'].map((version) => `https://specs.apollo.dev/join/v${version}`),
  ...['0.1', '0.2', '0.3'].map((version) => `https://specs.apollo.dev/tag/v${version}`),
  ...['0.1', '0.2'].map((version) => `https://specs.apollo.dev/inaccessible/v${version}`),
];

/** The supergraph features the gateway serves: @apollo/gateway's, and the authorization directives it enforces. */
export const servedFeatures: ReadonlySet<string> = new Set([...apolloGatewayFeatures, ...authorizationFeatures]);

/**
 * Throws, as `Supergraph.build` does, when the document is not a supergraph (it links neither
 * the core nor the join spec: Hive's planner would plan it anyway), or when it links a feature
 * that changes how it must be executed or secured (`for: EXECUTION` or `for: SECURITY`) and that
 * no engine here implements: serving it while ignoring the feature would answer wrongly or
 * leave fields open.
 */
export function refuseUnservableSupergraph(supergraph: DocumentNode): void {
  const links = supergraphLinks(supergraph);
  const problems: string[] = [];
  if (!links.some(({ url }) => coreSpec.test(url))) problems.push('it is not a core schema (no @link to https://specs.apollo.dev/link/v1.0)');
  if (!links.some(({ url }) => joinSpec.test(url))) problems.push('it links no join spec (https://specs.apollo.dev/join)');
  for (const { url, purpose } of links) {
    if ((purpose === 'EXECUTION' || purpose === 'SECURITY') && !servedFeatures.has(url)) problems.push(`feature ${url} is for: ${purpose} but is unsupported`);
  }
  if (problems.length > 0) throw new Error(`invalid supergraph: ${problems.join('; ')}`);
}

const coreSpec = /^https:\/\/specs\.apollo\.dev\/(link|core)\/v/;
const joinSpec = /^https:\/\/specs\.apollo\.dev\/join\/v/;
