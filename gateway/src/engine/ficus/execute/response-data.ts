import type { DataRewrite, PathSegment, RequiresSelection, RewriteSegment } from '../plan/query-plan';

export type ResponseObject = Record<string, unknown>;
export type ResponsePath = (string | number)[];

/** Whether an object whose `__typename` is `typename` matches a type condition naming `types`. */
export type TypeMatcher = (typename: string, types: readonly string[]) => boolean;

export function isObject(value: unknown): value is ResponseObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The objects found at `path` in `root`: lists are walked item by item (whether or not the path
 * says `@` there), nulls end a branch. With `paths`, each object's response path is pushed too.
 * They are pushed onto `found`, a new list unless given.
 */
export function collectAtPath(root: unknown, path: readonly PathSegment[], matches: TypeMatcher, paths?: ResponsePath[], found: ResponseObject[] = []): ResponseObject[] {
  walk({ path, matches, found, paths, current: paths ? [] : null }, root, 0);
  return found;
}

/** One collectAtPath walk: what every step of it shares (a closure per walk cost more than the walk). */
interface PathWalk {
  path: readonly PathSegment[];
  matches: TypeMatcher;
  found: ResponseObject[];
  paths: ResponsePath[] | undefined;
  /** The response path to the value being walked, kept only when `paths` is wanted. */
  current: ResponsePath | null;
}

function walk(w: PathWalk, value: unknown, at: number): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      w.current?.push(i);
      walk(w, value[i], at);
      w.current?.pop();
    }
    return;
  }
  if (!isObject(value)) return;
  const segment = w.path[at];
  if (!segment) {
    w.found.push(value);
    if (w.current) w.paths!.push(w.current.slice());
    return;
  }
  if (segment.kind === 'list') return walk(w, value, at + 1);
  if (segment.kind === 'types') {
    const typename = value.__typename;
    if (typeof typename !== 'string' || w.matches(typename, segment.names)) walk(w, value, at + 1);
    return;
  }
  w.current?.push(segment.name);
  walk(w, value[segment.name], at + 1);
  w.current?.pop();
}

const missing = Symbol('missing');

/**
 * An entity's representation: what `requires` selects of it, or null when it lacks a field
 * the representation needs (the entity is then not sent).
 */
export function representationOf(entity: ResponseObject, requires: readonly RequiresSelection[], matches: TypeMatcher): ResponseObject | null {
  const projected = project(entity, requires, matches);
  return projected === missing || !isObject(projected) || typeof projected.__typename !== 'string' ? null : projected;
}

function project(value: unknown, selections: readonly RequiresSelection[], matches: TypeMatcher): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const projected = project(item, selections, matches);
      if (projected === missing) return missing;
      items.push(projected);
    }
    return items;
  }
  if (!isObject(value)) return value;
  const out: ResponseObject = {};
  if (!projectInto(out, value, selections, matches)) return missing;
  return out;
}

function projectInto(out: ResponseObject, value: ResponseObject, selections: readonly RequiresSelection[], matches: TypeMatcher): boolean {
  for (const selection of selections) {
    if (selection.kind === 'InlineFragment') {
      const typename = value.__typename;
      if (selection.typeCondition !== null && (typeof typename !== 'string' || !matches(typename, [selection.typeCondition]))) continue;
      if (!projectInto(out, value, selection.selections, matches)) return false;
      continue;
    }
    const key = selection.alias ?? selection.name;
    const field = selection.source !== null && value[selection.source] !== undefined ? value[selection.source] : value[key];
    if (field === undefined) return false;
    if (selection.selections === null || field === null) {
      out[key] = field;
      continue;
    }
    const projected = project(field, selection.selections, matches);
    if (projected === missing) return false;
    const existing = out[key];
    // The same field under two fragments: both selections end up in one value.
    out[key] = isObject(existing) && isObject(projected) ? deepMerge(existing, projected) : projected;
  }
  return true;
}

/** Merges `source` into `target` (objects field by field, lists item by item); `target` is changed and returned. */
export function deepMerge(target: ResponseObject, source: ResponseObject): ResponseObject {
  for (const key in source) {
    if (key === '__proto__') continue;
    const value = source[key];
    if (value === undefined) continue;
    const existing = target[key];
    if (isObject(existing) && isObject(value)) deepMerge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value) && existing.length === value.length) mergeLists(existing, value);
    else target[key] = value;
  }
  return target;
}

function mergeLists(target: unknown[], source: unknown[]): void {
  for (let i = 0; i < source.length; i++) {
    const existing = target[i];
    const value = source[i];
    if (isObject(existing) && isObject(value)) deepMerge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value) && existing.length === value.length) mergeLists(existing, value);
    else if (value !== undefined) target[i] = value;
  }
}

/** Applies a planner's rewrites (a value set, a key renamed) to a representation or a received entity. */
export function applyRewrites(value: unknown, rewrites: readonly DataRewrite[], matches: TypeMatcher): void {
  for (const rewrite of rewrites) {
    const last = rewrite.path[rewrite.path.length - 1];
    if (!last || last.kind !== 'field') continue;
    atPath(value, rewrite.path, 0, matches, (object) => {
      if (rewrite.kind === 'ValueSetter') {
        object[last.name] = rewrite.setValueTo;
      } else if (object[last.name] !== undefined) {
        object[rewrite.renameKeyTo] = object[last.name];
        delete object[last.name];
      }
    });
  }
}

function atPath(value: unknown, path: readonly RewriteSegment[], at: number, matches: TypeMatcher, change: (object: ResponseObject) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) atPath(item, path, at, matches, change);
    return;
  }
  if (!isObject(value)) return;
  if (at === path.length - 1) {
    change(value);
    return;
  }
  const segment = path[at]!;
  if (segment.kind === 'types') {
    const typename = value.__typename;
    if (typeof typename !== 'string' || matches(typename, segment.names)) atPath(value, path, at + 1, matches, change);
    return;
  }
  atPath(value[segment.name], path, at + 1, matches, change);
}
