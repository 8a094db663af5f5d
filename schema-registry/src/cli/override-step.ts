import { OverrideEditError } from '../domain/progressive-override';
import { CliIo, ExitCode, exitCodes, InputError } from './command';
import { writeCompositionAnswer } from './composition-answer';
import { failureReason, formatCheck } from './format-check';
import { writeJson } from './json-output';
import { CHECK_SUBGRAPH, CheckRunView, PUBLISH_SUBGRAPH, PublishResultView } from './operations';
import type { Format } from './options';
import { RegistryClient } from './registry-client';

export const FETCH_VARIANT_SUBGRAPHS = /* GraphQL */ `
  query OverrideSubgraphs($ref: String!) {
    variant(ref: $ref) { subgraphs { name routingUrl sdl } }
  }
`;

export interface PublishedSubgraph {
  name: string;
  routingUrl: string;
  sdl: string;
}

/** The subgraphs published to the variant; a variant that does not exist is a NOT_FOUND. */
export async function variantSubgraphs(client: RegistryClient, ref: string): Promise<PublishedSubgraph[]> {
  const data = await client.request<{ variant: { subgraphs: PublishedSubgraph[] } | null }>(FETCH_VARIANT_SUBGRAPHS, { ref }, 'variant');
  if (!data.variant) throw new InputError(`nothing is published to ${ref}`, 'NOT_FOUND');
  return data.variant.subgraphs;
}

export function subgraphNamed(subgraphs: PublishedSubgraph[], name: string, ref: string): PublishedSubgraph {
  const found = subgraphs.find((s) => s.name === name);
  if (!found) throw new InputError(`no subgraph "${name}" is published to ${ref}`, 'NOT_FOUND');
  return found;
}

/** Runs an SDL edit; what it refuses becomes a readable CLI error (exit 1). */
export function edit<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof OverrideEditError) throw new InputError(err.message, 'OVERRIDE_STEP_INVALID');
    throw err;
  }
}

export interface OverrideStep {
  ref: string;
  coordinate: string;
  /** The subgraph whose SDL the step changes, and its new SDL. */
  subgraph: PublishedSubgraph;
  sdl: string;
  /** What the step does, for people: `products serves 25% of Product.slug`. */
  outcome: string;
  format: Format;
}

/**
 * One step of a progressive override, as any schema change goes out: the edited SDL is checked
 * against the variant (composition, the partial-override rule, client usage), and published only
 * when the check passes. Exit 0 published or unchanged, 1 refused.
 */
export async function checkAndPublish(step: OverrideStep, io: CliIo): Promise<ExitCode> {
  const client = new RegistryClient(io.env);
  const { ref, subgraph, sdl, format } = step;
  const { checkSubgraph: check } = await client.request<{ checkSubgraph: CheckRunView }>(
    CHECK_SUBGRAPH,
    { input: { ref, name: subgraph.name, sdl } },
    'checkSubgraph',
  );
  if (!check.passed) {
    const failure = { message: `${step.coordinate}: ${failureReason(check)}; nothing was published`, code: 'CHECK_FAILED' };
    if (format === 'json') writeJson(io, { coordinate: step.coordinate, subgraph: subgraph.name, check, publish: null }, failure);
    else {
      io.stdout.write(`${formatCheck(check)}\n`);
      io.stderr.write(`error: ${failure.message}\n`);
    }
    return exitCodes.failed;
  }
  const { publishSubgraph: publish } = await client.request<{ publishSubgraph: PublishResultView }>(
    PUBLISH_SUBGRAPH,
    { input: { ref, name: subgraph.name, sdl, routingUrl: subgraph.routingUrl } },
    'publishSubgraph',
  );
  const failure = publish.published
    ? null
    : { message: `publish refused: ${publish.compositionErrors.map((e) => e.code).join(', ')}`, code: 'COMPOSITION_FAILED' };
  const data = { coordinate: step.coordinate, subgraph: subgraph.name, outcome: step.outcome, check, publish };
  const done = writeCompositionAnswer(io, format, { data, hints: publish.hints, errors: publish.compositionErrors }, failure);
  if (done !== null) return done;
  const published = publish.unchanged ? `"${subgraph.name}" unchanged` : `published "${subgraph.name}"`;
  io.stdout.write(`${step.outcome} (${published} to ${ref}; supergraph ${publish.supergraph!.id})\n`);
  return exitCodes.ok;
}
