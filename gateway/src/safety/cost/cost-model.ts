import {
  buildASTSchema,
  ConstDirectiveNode,
  DefinitionNode,
  FieldDefinitionNode,
  isObjectType,
  Kind,
  parse,
  SelectionSetNode,
} from 'graphql';
import { costDirectiveNames, CostDirectiveNames } from './cost-directive-names';
import { SelectionCost } from './selection-cost';

/** A field's `@listSize`: how many items its list, or its connection's sized fields, hold. */
export interface ListSize {
  assumedSize: number | null;
  slicingArguments: string[] | null;
  sizedFields: string[] | null;
  requireOneSlicingArgument: boolean;
}

export interface CostModelOptions {
  /** Items assumed in a list field without `@listSize` (DEFAULT_LIST_SIZE). */
  defaultListSize: number;
}

/**
 * The weights of the IBM GraphQL Cost Directive spec that one supergraph declares with
 * Federation 2.9's `@cost` and `@listSize`, read from the supergraph SDL (the API schema strips
 * them), and the cost of what each `@requires` field needs. Built once per supergraph.
 */
export class CostModel {
  private constructor(
    readonly defaultListSize: number,
    /** `Type.field`, `Type.field(arg:)`, `Input.field` or `Type` to its `@cost` weight. */
    private readonly weights: Map<string, number>,
    private readonly listSizes: Map<string, ListSize>,
    private readonly requiresCosts: Map<string, number>,
  ) {}

  /** No weights at all: the spec's defaults only. */
  static defaults(options: CostModelOptions): CostModel {
    return new CostModel(options.defaultListSize, new Map(), new Map(), new Map());
  }

  /** Reads a supergraph SDL; throws when it is not GraphQL (a supergraph the gateway could not serve anyway). */
  static fromSupergraph(supergraphSdl: string, options: CostModelOptions): CostModel {
    const document = parse(supergraphSdl);
    const names = costDirectiveNames(document);
    const weights = new Map<string, number>();
    const listSizes = new Map<string, ListSize>();
    const requires = new Map<string, { type: string; selectionSet: SelectionSetNode }>();
    for (const definition of document.definitions) {
      readDefinition(definition, names, { weights, listSizes, requires });
    }
    const requiresCosts = new Map<string, number>();
    const model = new CostModel(options.defaultListSize, weights, listSizes, requiresCosts);
    if (requires.size > 0) {
      // What a @requires field needs is fetched for it even when the operation does not select it.
      const supergraph = buildASTSchema(document, { assumeValidSDL: true });
      const cost = new SelectionCost(model, supergraph, {}, document);
      for (const [coordinate, { type, selectionSet }] of requires) {
        const parent = supergraph.getType(type);
        if (isObjectType(parent)) requiresCosts.set(coordinate, cost.ofSelectionSet(selectionSet, parent, null));
      }
    }
    return model;
  }

  /** `@cost(weight:)` on the field, else on its type (Router's precedence), else null. */
  fieldWeight(parentType: string, field: string, fieldType: string): number | null {
    return this.weights.get(`${parentType}.${field}`) ?? this.weights.get(fieldType) ?? null;
  }

  /** `@cost(weight:)` on the argument, else on its type, else null. */
  argumentWeight(parentType: string, field: string, argument: string, argumentType: string): number | null {
    return this.weights.get(`${parentType}.${field}(${argument}:)`) ?? this.weights.get(argumentType) ?? null;
  }

  /** `@cost(weight:)` on an input object's field, else on its type, else null. */
  inputFieldWeight(inputType: string, field: string, fieldType: string): number | null {
    return this.weights.get(`${inputType}.${field}`) ?? this.weights.get(fieldType) ?? null;
  }

  listSize(parentType: string, field: string): ListSize | null {
    return this.listSizes.get(`${parentType}.${field}`) ?? null;
  }

  requiresCost(parentType: string, field: string): number {
    return this.requiresCosts.get(`${parentType}.${field}`) ?? 0;
  }
}

interface Collected {
  weights: Map<string, number>;
  listSizes: Map<string, ListSize>;
  requires: Map<string, { type: string; selectionSet: SelectionSetNode }>;
}

function readDefinition(definition: DefinitionNode, names: CostDirectiveNames | null, into: Collected): void {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION: {
      const type = definition.name.value;
      readTypeWeight(type, definition.directives, names, into);
      for (const field of definition.fields ?? []) readField(type, field, names, into);
      return;
    }
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      for (const field of definition.fields ?? []) {
        const weight = names && costWeight(field.directives, names.cost);
        if (weight != null) into.weights.set(`${definition.name.value}.${field.name.value}`, weight);
      }
      return;
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION:
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_EXTENSION:
      readTypeWeight(definition.name.value, definition.directives, names, into);
      return;
    default:
      return;
  }
}

function readTypeWeight(type: string, directives: readonly ConstDirectiveNode[] | undefined, names: CostDirectiveNames | null, into: Collected): void {
  const weight = names && costWeight(directives, names.cost);
  if (weight != null) into.weights.set(type, weight);
}

function readField(type: string, field: FieldDefinitionNode, names: CostDirectiveNames | null, into: Collected): void {
  const coordinate = `${type}.${field.name.value}`;
  if (names) {
    const weight = costWeight(field.directives, names.cost);
    if (weight != null) into.weights.set(coordinate, weight);
    const listSize = field.directives?.find((d) => d.name.value === names.listSize);
    if (listSize) into.listSizes.set(coordinate, readListSize(listSize));
    for (const argument of field.arguments ?? []) {
      const argumentWeight = costWeight(argument.directives, names.cost);
      if (argumentWeight != null) into.weights.set(`${coordinate}(${argument.name.value}:)`, argumentWeight);
    }
  }
  for (const joinField of field.directives ?? []) {
    if (joinField.name.value !== 'join__field') continue;
    const fields = joinField.arguments?.find((a) => a.name.value === 'requires')?.value;
    if (fields?.kind === Kind.STRING) {
      const selectionSet = parseFieldSet(fields.value);
      if (selectionSet) into.requires.set(coordinate, { type, selectionSet });
    }
  }
}

/** A `@cost(weight:)`: an Int in Federation 2.9–2.14, a numeric String in later versions. */
function costWeight(directives: readonly ConstDirectiveNode[] | undefined, name: string): number | null {
  const weight = directives?.find((d) => d.name.value === name)?.arguments?.find((a) => a.name.value === 'weight')?.value;
  if (!weight) return null;
  const number = weight.kind === Kind.INT || weight.kind === Kind.FLOAT || weight.kind === Kind.STRING ? Number(weight.value) : NaN;
  return Number.isFinite(number) ? number : null;
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const strings = (name: string): string[] | null => {
    const value = argument(name);
    return value?.kind === Kind.LIST ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : null;
  };
  const assumed = argument('assumedSize');
  const requireOne = argument('requireOneSlicingArgument');
  return {
    assumedSize: assumed?.kind === Kind.INT ? Number(assumed.value) : null,
    slicingArguments: strings('slicingArguments'),
    sizedFields: strings('sizedFields'),
    // The spec's default is true.
    requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
  };
}

function parseFieldSet(fields: string): SelectionSetNode | null {
  try {
    const document = parse(`{ ${fields} }`);
    const operation = document.definitions[0];
    return operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet : null;
  } catch {
    return null;
  }
}
