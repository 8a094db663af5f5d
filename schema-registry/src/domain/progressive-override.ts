import type {
  ConstDirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  InterfaceTypeDefinitionNode,
  InterfaceTypeExtensionNode,
  ObjectTypeDefinitionNode,
  ObjectTypeExtensionNode,
  StringValueNode,
} from 'graphql';
// The language module only: the CLI's override commands load this file at every start of `ficus`,
// and graphql's whole entry took 88 ms of a 0.2 s start (the language module 11 ms).
import { Kind, parse } from 'graphql/language';

/**
 * Progressive `@override` read from and written into subgraph SDL, the way Apollo's docs move a
 * field: the new owner declares it with `@override(from: "<old owner>", label: "percent(N)")`,
 * raises N, drops the label, then the old owner deletes the field. Edits keep the SDL's text
 * (comments, order, layout) and touch only what they change.
 */

/** One `@override` on a field: who it takes the field from, and its label if it is progressive. */
export interface FieldOverride {
  /** The subgraph whose SDL holds it. */
  subgraph: string;
  coordinate: string;
  from: string;
  label: string | null;
}

type TypeNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode;

const typeKinds: ReadonlySet<string> = new Set([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
]);

const overrideNames: ReadonlySet<string> = new Set(['override', 'federation__override']);

/** `Type.field`, checked; throws a readable message for anything else. */
export function parseCoordinate(coordinate: string): { type: string; field: string } {
  const match = /^([_A-Za-z][_0-9A-Za-z]*)\.([_A-Za-z][_0-9A-Za-z]*)$/.exec(coordinate);
  if (!match) throw new OverrideEditError(`"${coordinate}" is not a field coordinate such as Product.slug`);
  return { type: match[1]!, field: match[2]! };
}

/** Whether `label` leaves part of the traffic with the old owner: any label but `percent(100)`. */
export function isPartialLabel(label: string | null): boolean {
  if (label === null) return false;
  const percent = percentOf(label);
  return percent === null || percent < 100;
}

/** N of a `percent(N)` label; null for any other label. */
export function percentOf(label: string): number | null {
  const match = /^percent\((\d{1,3}(?:\.\d{1,8})?)\)$/.exec(label);
  return match ? Number(match[1]) : null;
}

/** The `percent(N)` label for N in [0, 100] (at most 8 decimals, as the federation spec allows). */
export function percentLabel(percent: number): string {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || !/^\d{1,3}(\.\d{1,8})?$/.test(String(percent))) {
    throw new OverrideEditError(`the percentage must be a number from 0 to 100 with at most 8 decimals, not ${percent}`);
  }
  return `percent(${percent})`;
}

/** Every `@override` in a subgraph's SDL. */
export function overridesIn(subgraph: string, sdl: string): FieldOverride[] {
  const found: FieldOverride[] = [];
  // Every check reads every subgraph's overrides on the event loop; most SDLs have none to parse.
  if (!sdl.includes('override')) return found;
  for (const type of typesIn(parseSdl(sdl))) {
    for (const field of type.fields ?? []) {
      const directive = overrideOf(field);
      if (!directive) continue;
      const from = stringArgument(directive, 'from');
      if (from === null) continue;
      found.push({ subgraph, coordinate: `${type.name.value}.${field.name.value}`, from, label: stringArgument(directive, 'label') });
    }
  }
  return found;
}

/** Whether the SDL declares `Type.field` (in the type's definition or an extension of it). */
export function definesField(sdl: string, coordinate: string): boolean {
  return findField(parseSdl(sdl), parseCoordinate(coordinate)) !== null;
}

/**
 * The new owner's SDL with `@override(from:, label:)` on the field (no label: a plain override).
 * A field the SDL lacks is copied, description included, from `fromSdl`, the old owner's.
 */
export function withOverride(sdl: string, coordinate: string, from: string, label: string | null, fromSdl?: string): string {
  const at = parseCoordinate(coordinate);
  let text = withOverrideImported(sdl);
  let field = findField(parseSdl(text), at);
  if (!field) {
    if (!fromSdl) throw new OverrideEditError(`the SDL does not declare ${coordinate}`);
    text = withFieldCopied(text, fromSdl, coordinate);
    field = findField(parseSdl(text), at)!;
  }
  const directive = `@override(from: ${JSON.stringify(from)}${label === null ? '' : `, label: ${JSON.stringify(label)}`})`;
  const existing = overrideOf(field);
  if (existing) return splice(text, existing.loc!.start, existing.loc!.end, directive);
  return splice(text, field.loc!.end, field.loc!.end, ` ${directive}`);
}

/** The SDL without `Type.field`: its description, comment lines, line and directives go with it. */
export function withoutField(sdl: string, coordinate: string): string {
  const field = findField(parseSdl(sdl), parseCoordinate(coordinate));
  if (!field) throw new OverrideEditError(`the SDL does not declare ${coordinate}`);
  let start = sdl.lastIndexOf('\n', field.loc!.start - 1) + 1;
  const lineEnd = sdl.indexOf('\n', field.loc!.end);
  const rest = sdl.slice(field.loc!.end, lineEnd === -1 ? sdl.length : lineEnd);
  // The field's own line(s) go, with a comment ending its line; a field sharing its line with others loses just its text.
  if (sdl.slice(start, field.loc!.start).trim() === '' && (rest.trim() === '' || rest.trim().startsWith('#'))) {
    // The comment lines right above the field are about it: they go too.
    while (start > 0) {
      const above = sdl.lastIndexOf('\n', start - 2) + 1;
      if (!sdl.slice(above, start).trimStart().startsWith('#')) break;
      start = above;
    }
    return splice(sdl, start, lineEnd === -1 ? sdl.length : lineEnd + 1, '');
  }
  return splice(sdl, field.loc!.start, field.loc!.end, '');
}

/** An SDL edit that cannot be made: the message says why, for the CLI to print. */
export class OverrideEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideEditError';
  }
}

function withFieldCopied(sdl: string, fromSdl: string, coordinate: string): string {
  const at = parseCoordinate(coordinate);
  const source = findField(parseSdl(fromSdl), at);
  if (!source) throw new OverrideEditError(`neither subgraph declares ${coordinate}`);
  const type = typesIn(parseSdl(sdl)).find((t) => t.name.value === at.type && t.loc && sdl[t.loc.end - 1] === '}');
  if (!type) throw new OverrideEditError(`the new owner has no type ${at.type} to add ${coordinate} to: declare the entity there first`);
  const start = source.description?.loc?.start ?? source.loc!.start;
  // Its own directives (e.g. the old owner's @shareable) stay behind; the override is added after.
  const copied = fromSdl.slice(start, source.type.loc!.end);
  const closing = type.loc!.end - 1;
  const before = sdl.slice(0, closing).replace(/\s*$/, '');
  return `${before}\n  ${copied}\n${sdl.slice(closing)}`;
}

/** The federation @link with "@override" in its imports (added when missing). */
function withOverrideImported(sdl: string): string {
  const document = parseSdl(sdl);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_EXTENSION && definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link' || !stringArgument(directive, 'url')?.includes('specs.apollo.dev/federation/')) continue;
      const imports = directive.arguments?.find((a) => a.name.value === 'import')?.value;
      if (!imports || imports.kind !== Kind.LIST) throw new OverrideEditError('the federation @link has no import list to add "@override" to');
      const names = imports.values.map((v) => (v.kind === Kind.STRING ? v.value : ''));
      if (names.includes('@override')) return sdl;
      const last = imports.values.at(-1);
      return last ? splice(sdl, last.loc!.end, last.loc!.end, ', "@override"') : splice(sdl, imports.loc!.start + 1, imports.loc!.start + 1, '"@override"');
    }
  }
  throw new OverrideEditError('the SDL has no federation 2 @link (extend schema @link(url: "https://specs.apollo.dev/federation/v2.x", …))');
}

function parseSdl(sdl: string): DocumentNode {
  try {
    return parse(sdl);
  } catch (err) {
    throw new OverrideEditError(`the SDL does not parse: ${(err as Error).message}`);
  }
}

function typesIn(document: DocumentNode): TypeNode[] {
  return document.definitions.filter((d): d is TypeNode => typeKinds.has(d.kind));
}

function findField(document: DocumentNode, at: { type: string; field: string }): FieldDefinitionNode | null {
  for (const type of typesIn(document)) {
    if (type.name.value !== at.type) continue;
    const field = type.fields?.find((f) => f.name.value === at.field);
    if (field) return field;
  }
  return null;
}

function overrideOf(field: FieldDefinitionNode): ConstDirectiveNode | undefined {
  return field.directives?.find((d) => overrideNames.has(d.name.value));
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | null {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? (value as StringValueNode).value : null;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return `${text.slice(0, start)}${insert}${text.slice(end)}`;
}
