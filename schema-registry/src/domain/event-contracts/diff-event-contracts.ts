import type { ChangeSeverity } from '../schema-change';

/** A JSON Schema node as zod's `toJSONSchema` writes it. */
type Node = { [keyword: string]: unknown };

/** One event version's `data` shape, as `describeEventContracts` of @ficus/events gives it. */
export interface EventContractShape {
  type: string;
  version: number;
  schema: Node;
}

/** One difference between the published event contracts and the proposed ones. */
export interface EventContractChange {
  code: string;
  severity: ChangeSeverity;
  /** `orders.order.placed@1`, or with the path of a field: `orders.order.placed@1 items[].quantity`. */
  coordinate: string;
  message: string;
}

/** Keywords that document a schema without constraining the data. */
const annotations = new Set(['$schema', 'title', 'description', 'examples', 'default', 'deprecated']);

/**
 * Compares event contracts version by version. Events of an existing version are already in
 * the streams and consumers of that version are already deployed, so within a version any
 * change other than a new optional field breaks one side or the other: a removed, retyped or
 * newly required field, an enum value added or removed. A new version, or a new event type,
 * is safe: that is how a contract evolves.
 */
export function diffEventContracts(published: readonly EventContractShape[], proposed: readonly EventContractShape[]): EventContractChange[] {
  const key = (c: EventContractShape) => `${c.type}@${c.version}`;
  const before = new Map(published.map((c) => [key(c), c]));
  const after = new Map(proposed.map((c) => [key(c), c]));
  const publishedTypes = new Set(published.map((c) => c.type));
  const changes: EventContractChange[] = [];
  for (const [coordinate, old] of before) {
    const next = after.get(coordinate);
    if (!next) {
      changes.push({
        code: 'EVENT_VERSION_REMOVED',
        severity: 'BREAKING',
        coordinate,
        message: `${coordinate} was removed: its events still in the streams can no longer be read`,
      });
      continue;
    }
    compareNode(coordinate, '', old.schema, next.schema, changes);
  }
  for (const [coordinate, next] of after) {
    if (before.has(coordinate)) continue;
    const newType = !publishedTypes.has(next.type);
    changes.push({
      code: newType ? 'EVENT_TYPE_ADDED' : 'EVENT_VERSION_ADDED',
      severity: 'SAFE',
      coordinate,
      message: newType ? `event type ${next.type} was added` : `version ${next.version} of ${next.type} was added`,
    });
  }
  return changes;
}

function compareNode(contract: string, path: string, old: Node, next: Node, changes: EventContractChange[]): void {
  const at = (field: string) => `${contract} ${field}`;
  const here = path || '(data)';
  if (isObject(old.properties) && isObject(next.properties)) {
    const oldRequired = requiredOf(old);
    const nextRequired = requiredOf(next);
    for (const name of Object.keys(old.properties)) {
      const field = join(path, name);
      if (!(name in next.properties)) {
        changes.push({ code: 'FIELD_REMOVED', severity: 'BREAKING', coordinate: at(field), message: `field ${field} was removed` });
        continue;
      }
      if (oldRequired.has(name) && !nextRequired.has(name)) {
        changes.push({ code: 'FIELD_MADE_OPTIONAL', severity: 'BREAKING', coordinate: at(field), message: `field ${field} is no longer required: consumers that read it may not find it` });
      } else if (!oldRequired.has(name) && nextRequired.has(name)) {
        changes.push({ code: 'FIELD_MADE_REQUIRED', severity: 'BREAKING', coordinate: at(field), message: `field ${field} became required: events already published may lack it` });
      }
      compareNode(contract, field, old.properties[name] as Node, next.properties[name] as Node, changes);
    }
    for (const name of Object.keys(next.properties)) {
      if (name in old.properties) continue;
      const field = join(path, name);
      changes.push(
        nextRequired.has(name)
          ? { code: 'REQUIRED_FIELD_ADDED', severity: 'BREAKING', coordinate: at(field), message: `required field ${field} was added: events already published lack it` }
          : { code: 'FIELD_ADDED', severity: 'SAFE', coordinate: at(field), message: `optional field ${field} was added` },
      );
    }
    compareRest(at(here), old, next, ['properties', 'required'], changes);
    return;
  }
  if (isObject(old.items) && isObject(next.items)) {
    compareNode(contract, `${path}[]`, old.items, next.items, changes);
    compareRest(at(here), old, next, ['items'], changes);
    return;
  }
  if (Array.isArray(old.enum) && Array.isArray(next.enum)) {
    const oldValues = new Set(old.enum.map(String));
    const nextValues = new Set(next.enum.map(String));
    for (const value of oldValues) {
      if (!nextValues.has(value)) {
        changes.push({ code: 'VALUE_REMOVED_FROM_ENUM', severity: 'BREAKING', coordinate: at(here), message: `value ${value} of ${here} was removed: events already published may carry it` });
      }
    }
    for (const value of nextValues) {
      if (!oldValues.has(value)) {
        changes.push({ code: 'VALUE_ADDED_TO_ENUM', severity: 'BREAKING', coordinate: at(here), message: `value ${value} was added to ${here}: consumers of this version reject it` });
      }
    }
    compareRest(at(here), old, next, ['enum'], changes);
    return;
  }
  compareRest(at(here), old, next, [], changes);
}

/** Whatever else constrains the node (its type, format, pattern, bounds) must stay as it was. */
function compareRest(coordinate: string, old: Node, next: Node, compared: string[], changes: EventContractChange[]): void {
  const rest = (node: Node) => canonical(Object.fromEntries(Object.entries(node).filter(([k]) => !annotations.has(k) && !compared.includes(k))));
  if (rest(old) === rest(next)) return;
  changes.push({
    code: 'FIELD_CHANGED_TYPE',
    severity: 'BREAKING',
    coordinate,
    message: `${coordinate.split(' ')[1] ?? coordinate} changed from ${describe(old)} to ${describe(next)}`,
  });
}

function describe(node: Node): string {
  const type = node.type ?? (node.anyOf ? 'a union' : node.enum ? 'an enum' : 'a constrained value');
  const constraints = Object.keys(node).filter((k) => !annotations.has(k) && !['type', 'properties', 'required', 'items'].includes(k));
  return constraints.length > 0 ? `${String(type)} (${constraints.join(', ')})` : String(type);
}

/** JSON with keys sorted, so that key order never counts as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const requiredOf = (node: Node) => new Set(Array.isArray(node.required) ? node.required.map(String) : []);
const join = (path: string, name: string) => (path ? `${path}.${name}` : name);
