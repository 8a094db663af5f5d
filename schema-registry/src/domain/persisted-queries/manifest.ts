import { createHash } from 'node:crypto';
import { badInput, defaultLexicalLimits } from '@ficus/kit';
import { nestingDepth } from '@ficus/kit/limits';
import { DocumentNode, Kind, OperationDefinitionNode, parse } from 'graphql';

/** One operation of an Apollo persisted query manifest (`@apollo/generate-persisted-query-manifest`). */
export interface ManifestOperation {
  id: string;
  name: string;
  type: OperationType;
  body: string;
}

export type OperationType = 'query' | 'mutation' | 'subscription';

export const manifestFormat = 'apollo-persisted-query-manifest';

/** What one manifest may hold: the registry stores it, and every gateway of the variant keeps it in memory. */
export const manifestLimits = {
  maxChars: 4_000_000,
  maxOperations: 10_000,
  maxIdLength: 256,
  maxNameLength: 200,
  maxBodyChars: 100_000,
  /** Passed to the parser, so a hostile body costs a bounded amount of work. */
  maxBodyTokens: 50_000,
  /** How deep `{`, `(` and `[` may nest in a body, checked before the recursive parser runs: as deep as a gateway takes by default. */
  maxBodyNesting: defaultLexicalLimits.maxRecursion,
} as const;

const operationTypes: readonly string[] = ['query', 'mutation', 'subscription'];
// Printable ASCII without spaces: ids travel in JSON request bodies and log lines.
const idPattern = /^[\x21-\x7e]+$/;
const sha256Pattern = /^[0-9a-f]{64}$/;
const maxProblemsShown = 20;

export const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Reads a manifest as `@apollo/generate-persisted-query-manifest` writes it and refuses anything
 * else with every problem named (BAD_USER_INPUT). Ids may be custom, as Apollo's `createOperationId`
 * allows, but an id shaped like a sha256 must be the sha256 of its body, as the generator's default
 * makes it: a body edited after generation is caught here rather than in production. An id given
 * twice with the same body counts once; with different bodies the manifest is refused.
 */
export function parseManifest(text: string): ManifestOperation[] {
  if (text.length > manifestLimits.maxChars) {
    throw badInput(`invalid manifest: ${text.length} characters, more than the ${manifestLimits.maxChars} a manifest may have`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badInput(`invalid manifest: not JSON (${(err as Error).message})`);
  }
  if (!isRecord(json)) throw badInput('invalid manifest: the top level must be a JSON object');
  if (json.format !== manifestFormat) {
    throw badInput(`invalid manifest: format must be "${manifestFormat}", not ${describe(json.format)}`);
  }
  if (json.version !== 1) throw badInput(`invalid manifest: version must be 1, not ${describe(json.version)}`);
  if (!Array.isArray(json.operations)) throw badInput('invalid manifest: operations must be an array');
  if (json.operations.length > manifestLimits.maxOperations) {
    throw badInput(`invalid manifest: ${json.operations.length} operations, more than the ${manifestLimits.maxOperations} a manifest may have`);
  }

  const problems: string[] = [];
  const byId = new Map<string, ManifestOperation>();
  json.operations.forEach((entry: unknown, index: number) => {
    const found = readOperation(entry, `operations[${index}]`, problems);
    if (!found) return;
    const earlier = byId.get(found.id);
    if (!earlier) byId.set(found.id, found);
    else if (earlier.body !== found.body) {
      problems.push(`operations[${index}] (${found.name}): id ${found.id} is already given to ${earlier.name} with a different body`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, maxProblemsShown).join('; ');
    const more = problems.length > maxProblemsShown ? `; and ${problems.length - maxProblemsShown} more` : '';
    throw badInput(`invalid manifest: ${shown}${more}`, { problems: problems.slice(0, 100) });
  }
  return [...byId.values()];
}

function readOperation(entry: unknown, at: string, problems: string[]): ManifestOperation | null {
  if (!isRecord(entry)) {
    problems.push(`${at}: must be an object with id, name, type and body`);
    return null;
  }
  const { id, name, type, body } = entry;
  const before = problems.length;
  if (typeof id !== 'string' || id.length === 0 || id.length > manifestLimits.maxIdLength || !idPattern.test(id)) {
    problems.push(`${at}: id must be 1 to ${manifestLimits.maxIdLength} printable characters without spaces`);
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > manifestLimits.maxNameLength) {
    problems.push(`${at}: name must be a string of 1 to ${manifestLimits.maxNameLength} characters`);
  }
  if (typeof type !== 'string' || !operationTypes.includes(type)) {
    problems.push(`${at}: type must be query, mutation or subscription, not ${describe(type)}`);
  }
  if (typeof body !== 'string' || body.length === 0 || body.length > manifestLimits.maxBodyChars) {
    problems.push(`${at}: body must be a GraphQL document of 1 to ${manifestLimits.maxBodyChars} characters`);
  }
  if (problems.length > before) return null;
  // Neither database compares or stores U+0000 in text alike (SQLite refuses it in a statement).
  if ((name as string).includes('\0') || (body as string).includes('\0')) {
    problems.push(`${at}: name and body may not hold the character U+0000 (NUL)`);
    return null;
  }
  const operation = { id, name, type, body } as ManifestOperation;
  const label = `${at} (${operation.name})`;
  const bodyProblem = checkBody(operation);
  if (bodyProblem) {
    problems.push(`${label}: ${bodyProblem}`);
    return null;
  }
  if (sha256Pattern.test(operation.id) && sha256Of(operation.body) !== operation.id) {
    problems.push(`${label}: id ${operation.id} looks like a sha256 but is not the sha256 of the body (was the body edited after the manifest was generated?)`);
    return null;
  }
  return operation;
}

/** Why the body is not the one named operation (with its fragments) that the entry says it is, or null. */
function checkBody(operation: ManifestOperation): string | null {
  if (nestingDepth(operation.body, manifestLimits.maxBodyNesting) > manifestLimits.maxBodyNesting) {
    return `body nests \`{\`, \`(\` and \`[\` more than ${manifestLimits.maxBodyNesting} levels deep`;
  }
  let document: DocumentNode;
  try {
    document = parse(operation.body, { noLocation: true, maxTokens: manifestLimits.maxBodyTokens });
  } catch (err) {
    return `body does not parse: ${(err as Error).message}`;
  }
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
    else if (definition.kind !== Kind.FRAGMENT_DEFINITION) return `body may hold only an operation and fragments, not a ${definition.kind}`;
  }
  if (operations.length !== 1) return `body must hold exactly one operation, not ${operations.length}`;
  const [found] = operations as [OperationDefinitionNode];
  if (found.name?.value !== operation.name) {
    return `body's operation is ${found.name ? `named ${found.name.value}` : 'anonymous'}, not ${operation.name}`;
  }
  if (found.operation !== operation.type) return `body's operation is a ${found.operation}, not a ${operation.type}`;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
