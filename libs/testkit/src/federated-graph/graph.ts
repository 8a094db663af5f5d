import { FieldSpec, renderSubgraph, SubgraphModel, TypeSpec } from './model';
import { SeededRandom } from './random';

export interface GraphOptions {
  /** How many subgraphs (default 40). */
  subgraphs?: number;
  /** Type definitions per subgraph, shared entities counted in each subgraph defining them (default 100). */
  typesPerSubgraph?: number;
  seed?: number;
}

export interface GeneratedSubgraph {
  name: string;
  routingUrl: string;
  sdl: string;
}

/** A proposed SDL for one subgraph, as `ficus subgraph check` is given it. */
export interface SubgraphChange {
  subgraph: string;
  sdl: string;
  /** What changes, for a report. */
  description: string;
  /** The API coordinate the change is about. */
  coordinate: string;
}

export interface GeneratedGraph {
  seed: number;
  subgraphs: GeneratedSubgraph[];
  /** Each subgraph's shape, from which operations over the composed API are generated. */
  models: SubgraphModel[];
  /** Type definitions over all subgraphs (an entity counts once per subgraph defining it). */
  typeCount: number;
  changes: {
    /** New fields and a new type: safe changes only. */
    additive: SubgraphChange;
    /** Removes a field that one operation in a hundred selects. */
    removal: SubgraphChange;
    /** Makes a @shareable entity field nullable in one subgraph: composes with a hint, breaking on the API. */
    retype: SubgraphChange;
  };
}

const scalarFields: [string, string][] = [
  ['title', 'String'],
  ['count', 'Int'],
  ['price', 'Float'],
  ['active', 'Boolean'],
  ['code', 'ID'],
  ['note', 'String'],
  ['rank', 'Int'],
  ['ratio', 'Float'],
  ['tags', '[String!]'],
  ['createdAt', 'String'],
  ['summary', 'String'],
  ['weight', 'Float'],
];

const pad = (n: number): string => String(n).padStart(2, '0');
export const subgraphName = (index: number): string => `sg${pad(index + 1)}`;
const typePrefix = (index: number): string => `Sg${pad(index + 1)}`;
export const entityName = (j: number): string => `Entity${j}`;

/** The field the removal check takes away, on the first subgraph's first object type. */
export const removedField = { field: 'legacyCode', type: `${typePrefix(0)}Thing1` };
/** The @shareable entity field the retype check makes nullable. */
export const retypedField = { field: 'name', type: entityName(1) };

interface Sizes {
  ownedEntities: number;
  interfaces: number;
  unions: number;
  enums: number;
  inputs: number;
  things: number;
}

function sizesFor(typesPerSubgraph: number): Sizes {
  const of = (share: number) => Math.max(1, Math.round(typesPerSubgraph * share));
  const sizes = { ownedEntities: of(0.05), interfaces: of(0.08), unions: of(0.06), enums: of(0.1), inputs: of(0.1) };
  // Each subgraph defines its own entities and extends about twice as many of others'.
  const fixed = 3 * sizes.ownedEntities + sizes.interfaces + sizes.unions + sizes.enums + sizes.inputs + 1;
  return { ...sizes, things: Math.max(3, typesPerSubgraph - fixed) };
}

/**
 * A federated graph of `subgraphs` subgraphs, deterministic from `seed`: entities with `@key`
 * defined in one subgraph and extended in two others (with a `@shareable` field), and in each
 * subgraph object types implementing interfaces, unions, enums, input objects, and root fields
 * with arguments. It composes without errors, with hints (a shared field's nullability differs).
 */
export function generateFederatedGraph(options: GraphOptions = {}): GeneratedGraph {
  const count = options.subgraphs ?? 40;
  const typesPerSubgraph = options.typesPerSubgraph ?? 100;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`subgraphs must be a whole number of at least 1, not ${count}`);
  if (!Number.isInteger(typesPerSubgraph) || typesPerSubgraph < 20) throw new Error(`typesPerSubgraph must be a whole number of at least 20, not ${typesPerSubgraph}`);
  const random = new SeededRandom(seed);
  const sizes = sizesFor(typesPerSubgraph);

  // Which subgraphs define each entity: the owner first, then its extenders.
  const entityCount = count * sizes.ownedEntities;
  const definers: number[][] = [];
  for (let j = 1; j <= entityCount; j++) {
    const owner = (j - 1) % count;
    const others = [...Array(count).keys()].filter((i) => i !== owner);
    definers[j] = [owner, ...random.sample(others, Math.min(2, others.length))];
  }
  const entitiesOf = (index: number) => [...Array(entityCount).keys()].map((k) => k + 1).filter((j) => definers[j]!.includes(index));

  const models = [...Array(count).keys()].map((index) => subgraphModel(index, sizes, entitiesOf(index), definers, random));
  const subgraphs = models.map((model) => ({ name: model.name, routingUrl: `http://127.0.0.1:4999/${model.name}`, sdl: renderSubgraph(model) }));
  return {
    seed,
    subgraphs,
    models,
    typeCount: models.reduce((sum, m) => sum + m.types.length + 1, 0),
    changes: {
      additive: additiveChange(models[0]!),
      removal: removalChange(models[0]!),
      retype: retypeChange(models[definers[1]![1] ?? definers[1]![0]!]!),
    },
  };
}

function subgraphModel(index: number, sizes: Sizes, entities: number[], definers: number[][], random: SeededRandom): SubgraphModel {
  const p = typePrefix(index);
  const root = subgraphName(index);
  const thing = (k: number) => `${p}Thing${k}`;
  const types: TypeSpec[] = [];

  const enums = [...Array(sizes.enums).keys()].map((k) => `${p}Status${k + 1}`);
  for (const name of enums) types.push({ kind: 'enum', name, values: ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', `${name.toUpperCase()}_OTHER`] });

  const interfaces = [...Array(sizes.interfaces).keys()].map((k) => `${p}Node${k + 1}`);
  const nodeFields = (): FieldSpec[] => [
    { name: 'id', type: 'ID!' },
    { name: 'label', type: 'String' },
  ];
  for (const name of interfaces) types.push({ kind: 'interface', name, fields: nodeFields() });

  for (let k = 1; k <= sizes.things; k++) {
    const fields: FieldSpec[] = nodeFields();
    for (const [name, type] of random.sample(scalarFields, random.int(3, 6))) fields.push({ name, type });
    // One enum for `status` on every object type, so that fragments on a union's members can both select it.
    if (random.chance(0.6)) fields.push({ name: 'status', type: enums[0]! });
    if (random.chance(0.5)) fields.push({ name: 'parent', type: thing(random.int(1, sizes.things)) });
    if (random.chance(0.4)) fields.push({ name: 'related', type: `[${thing(random.int(1, sizes.things))}!]!` });
    if (entities.length > 0 && random.chance(0.5)) fields.push({ name: 'subject', type: entityName(random.pick(entities)) });
    if (index === 0 && k === 1) fields.push({ name: removedField.field, type: 'String' });
    types.push({ kind: 'object', name: thing(k), implements: interfaces[(k - 1) % interfaces.length], fields });
  }

  const unions = [...Array(sizes.unions).keys()].map((k) => `${p}Result${k + 1}`);
  const thingNames = [...Array(sizes.things).keys()].map((k) => thing(k + 1));
  for (const name of unions) types.push({ kind: 'union', name, members: random.sample(thingNames, 3) });

  const inputs = [...Array(sizes.inputs).keys()].map((k) => `${p}Filter${k + 1}`);
  inputs.forEach((name, k) =>
    types.push({
      kind: 'input',
      name,
      fields: [
        { name: 'text', type: 'String' },
        { name: 'status', type: enums[k % enums.length]! },
        { name: 'limit', type: 'Int', defaultValue: '10' },
      ],
    }),
  );

  for (const j of entities) {
    const owner = definers[j]![0]!;
    const fields: FieldSpec[] = [
      { name: 'id', type: 'ID!' },
      // One entity in ten has its shared field nullable in one extender: composition merges it with a hint.
      { name: 'name', type: j % 10 === 5 && definers[j]![1] === index ? 'String' : 'String!', shareable: true },
    ];
    if (owner === index) {
      // Named after the owner: fragments on two entities of different owners may both select it.
      fields.push({ name: 'code', type: 'String' }, { name: 'rank', type: 'Int' }, { name: `${root}Status`, type: random.pick(enums) });
      fields.push({ name: 'featured', type: thing(random.int(1, sizes.things)) });
    } else {
      fields.push({ name: `${root}Score`, type: 'Float' }, { name: `${root}Items`, type: `[${thing(random.int(1, sizes.things))}!]!` });
    }
    types.push({ kind: 'object', name: entityName(j), key: true, fields });
  }

  const queryFields: FieldSpec[] = [];
  for (let k = 1; k <= Math.min(sizes.things, 10); k++) queryFields.push({ name: `${root}Thing${k}`, type: thing(k), args: [{ name: 'id', type: 'ID!' }] });
  inputs.forEach((name, k) =>
    queryFields.push({
      name: `${root}Search${k + 1}`,
      type: `[${random.pick(thingNames)}!]!`,
      args: [
        { name: 'filter', type: name, literal: `{text: "a", status: ACTIVE}` },
        { name: 'first', type: 'Int', literal: '20' },
      ],
    }),
  );
  interfaces.forEach((name, k) => queryFields.push({ name: `${root}Nodes${k + 1}`, type: `[${name}!]!` }));
  unions.forEach((name, k) => queryFields.push({ name: `${root}Results${k + 1}`, type: `[${name}!]!`, args: [{ name: 'term', type: 'String!' }] }));
  for (const j of entities.filter((e) => definers[e]![0] === index)) queryFields.push({ name: `${root}${entityName(j)}`, type: entityName(j), args: [{ name: 'id', type: 'ID!' }] });

  return { name: root, types, queryFields };
}

function change(model: SubgraphModel, description: string, coordinate: string, edit: (copy: SubgraphModel) => void): SubgraphChange {
  const copy = structuredClone(model);
  edit(copy);
  return { subgraph: model.name, sdl: renderSubgraph(copy), description, coordinate };
}

function objectType(model: SubgraphModel, name: string) {
  const type = model.types.find((t) => t.name === name);
  if (type?.kind !== 'object') throw new Error(`${model.name} has no object type ${name}`);
  return type;
}

function additiveChange(model: SubgraphModel): SubgraphChange {
  const p = typePrefix(0);
  return change(model, `adds ${p}Thing2.addedNote, a type ${p}Addition and Query.${model.name}Addition`, `Query.${model.name}Addition`, (copy) => {
    objectType(copy, `${p}Thing2`).fields.push({ name: 'addedNote', type: 'String' });
    copy.types.push({ kind: 'object', name: `${p}Addition`, fields: [{ name: 'id', type: 'ID!' }, { name: 'note', type: 'String' }] });
    copy.queryFields.push({ name: `${model.name}Addition`, type: `${p}Addition`, args: [{ name: 'id', type: 'ID!' }] });
  });
}

function removalChange(model: SubgraphModel): SubgraphChange {
  const coordinate = `${removedField.type}.${removedField.field}`;
  return change(model, `removes ${coordinate}`, coordinate, (copy) => {
    const type = objectType(copy, removedField.type);
    type.fields = type.fields.filter((f) => f.name !== removedField.field);
  });
}

function retypeChange(model: SubgraphModel): SubgraphChange {
  const coordinate = `${retypedField.type}.${retypedField.field}`;
  return change(model, `makes ${coordinate} nullable (String! to String) in ${model.name}`, coordinate, (copy) => {
    const field = objectType(copy, retypedField.type).fields.find((f) => f.name === retypedField.field)!;
    field.type = 'String';
  });
}
