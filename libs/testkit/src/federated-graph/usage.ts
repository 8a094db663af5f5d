import { GeneratedGraph, removedField, retypedField } from './graph';
import { ArgumentSpec, FieldSpec, namedTypeOf } from './model';
import { SeededRandom } from './random';

/** One line of a gateway's usage report (`POST /api/usage`): one operation served to one client. */
export interface UsageLine {
  signature: string;
  operationName: string;
  clientName: string;
  clientVersion: string;
  /** `Type.field` the operation selects on the API schema, as the gateway reports them. */
  coordinates: string[];
  count: number;
}

export interface GeneratedOperation {
  name: string;
  /** The operation document as a client sends it. */
  document: string;
  coordinates: string[];
}

export interface UsageOptions {
  /** Distinct operations (default 100,000); about one in five is used by two clients. */
  operations?: number;
  seed?: number;
}

export interface GeneratedUsage {
  operations: GeneratedOperation[];
  /** About 1.2 lines per operation. */
  lines: UsageLine[];
}

const clients: [string, string][] = [
  ['web', '3.2.0'],
  ['web', '3.1.4'],
  ['ios', '5.0.1'],
  ['android', '5.0.0'],
  ['partner-api', '1.0.0'],
  ['backoffice', '2.4.0'],
  ['storefront', '7.1.0'],
  ['reports', '0.9.2'],
];

type ApiType =
  | { kind: 'object' | 'interface'; fields: Map<string, FieldSpec>; implementations: string[] }
  | { kind: 'union'; members: string[] }
  | { kind: 'leaf' };

/** The composed API's types as far as operations need them: entity fields merged over their subgraphs. */
function apiTypesOf(graph: GeneratedGraph): Map<string, ApiType> {
  const types = new Map<string, ApiType>();
  for (const model of graph.models) {
    for (const type of model.types) {
      if (type.kind === 'object' || type.kind === 'interface') {
        const known = types.get(type.name);
        const fields = known && known.kind !== 'union' && known.kind !== 'leaf' ? known.fields : new Map<string, FieldSpec>();
        for (const field of type.fields) if (!fields.has(field.name)) fields.set(field.name, field);
        types.set(type.name, { kind: type.kind, fields, implementations: known && 'implementations' in known ? known.implementations : [] });
      } else if (type.kind === 'union') {
        types.set(type.name, { kind: 'union', members: type.members });
      }
    }
  }
  for (const model of graph.models) {
    for (const type of model.types) {
      if (type.kind !== 'object' || !type.implements) continue;
      const target = types.get(type.implements);
      if (target && 'implementations' in target) target.implementations.push(type.name);
    }
  }
  return types;
}

const excluded = new Set([`${removedField.type}.${removedField.field}`]);

class OperationWriter {
  constructor(
    private readonly types: Map<string, ApiType>,
    private readonly random: SeededRandom,
  ) {}

  /** The selection set on `typeName`, adding what it selects to `coordinates`. */
  selection(typeName: string, depth: number, coordinates: Set<string>, required: string[] = []): string {
    const type = this.types.get(typeName);
    if (!type || type.kind === 'leaf') return '';
    if (type.kind === 'union') {
      const parts = this.random.sample(type.members, this.random.int(1, 2)).map((member) => `... on ${member} ${this.selection(member, depth + 1, coordinates)}`);
      return `{ __typename ${parts.join(' ')} }`;
    }
    const fields = [...type.fields.values()];
    const leaves = fields.filter((f) => !this.types.has(namedTypeOf(f.type)) && !excluded.has(`${typeName}.${f.name}`));
    const chosen = new Set([...required, ...this.random.sample(leaves, this.random.int(1, Math.min(4, leaves.length))).map((f) => f.name)]);
    const parts: string[] = [];
    for (const name of chosen) {
      coordinates.add(`${typeName}.${name}`);
      parts.push(name);
    }
    const composites = fields.filter((f) => this.types.has(namedTypeOf(f.type)));
    if (depth < 2 && composites.length > 0 && this.random.chance(0.6)) {
      const field = this.random.pick(composites);
      coordinates.add(`${typeName}.${field.name}`);
      parts.push(`${field.name} ${this.selection(namedTypeOf(field.type), depth + 1, coordinates)}`);
    }
    if (type.kind === 'interface' && type.implementations.length > 0 && this.random.chance(0.5)) {
      const implementation = this.random.pick(type.implementations);
      parts.push(`... on ${implementation} ${this.selection(implementation, depth + 2, coordinates)}`);
    }
    return `{ ${parts.join(' ')} }`;
  }

  operation(name: string, root: FieldSpec, required: string[] = []): GeneratedOperation {
    const coordinates = new Set([`Query.${root.name}`]);
    const variables = (root.args ?? []).filter((a) => a.literal === undefined);
    const args = (root.args ?? []).map((a: ArgumentSpec) => `${a.name}: ${a.literal ?? `$${a.name}`}`);
    const selection = this.selection(namedTypeOf(root.type), 0, coordinates, required);
    const variableList = variables.length ? `(${variables.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
    const document = `query ${name}${variableList} { ${root.name}${args.length ? `(${args.join(', ')})` : ''} ${selection} }`;
    return { name, document, coordinates: [...coordinates].sort() };
  }
}

/**
 * `operations` distinct operations over the graph's composed API and the usage lines a gateway
 * would report for them, deterministic from `seed`. Exactly one operation in a hundred selects
 * the field the removal change takes away; another one in a hundred selects the retyped field.
 */
export function generateUsage(graph: GeneratedGraph, options: UsageOptions = {}): GeneratedUsage {
  const count = options.operations ?? 100_000;
  if (!Number.isInteger(count) || count < 1) throw new Error(`operations must be a whole number of at least 1, not ${count}`);
  const random = new SeededRandom(options.seed ?? graph.seed + 1);
  const writer = new OperationWriter(apiTypesOf(graph), random);
  const roots = graph.models.flatMap((m) => m.queryFields);
  const removalRoot = roots.find((f) => namedTypeOf(f.type) === removedField.type && f.args?.length === 1);
  const retypeRoot = roots.find((f) => namedTypeOf(f.type) === retypedField.type);
  if (!removalRoot || !retypeRoot) throw new Error('the graph lacks the root fields the check changes are about');

  const operations: GeneratedOperation[] = [];
  const lines: UsageLine[] = [];
  const width = String(count).length;
  for (let i = 0; i < count; i++) {
    const name = `Op${String(i).padStart(width, '0')}`;
    const operation =
      i % 100 === 0
        ? writer.operation(name, removalRoot, [removedField.field])
        : i % 100 === 50
          ? writer.operation(name, retypeRoot, [retypedField.field])
          : writer.operation(name, random.pick(roots));
    operations.push(operation);
    const signature = `# ${name}\n${operation.document}`;
    const users = random.chance(0.2) ? random.sample(clients, 2) : [random.pick(clients)];
    for (const [clientName, clientVersion] of users) {
      lines.push({ signature, operationName: name, clientName, clientVersion, coordinates: operation.coordinates, count: 1 + Math.floor(random.next() ** 2 * 99) });
    }
  }
  return { operations, lines };
}

/** Splits lines into batches of `size`, as a gateway sends them (its `maxOperations`). */
export function inBatches<T>(lines: readonly T[], size = 500): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < lines.length; i += size) batches.push(lines.slice(i, i + size));
  return batches;
}
