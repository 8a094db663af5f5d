import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLSchema,
  isCompositeType,
  isListType,
  isUnionType,
  Kind,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';
import { ArgumentCost } from './argument-cost';
import { CostEstimateError } from './cost-estimate-error';
import type { CostModel, ListSize } from './cost-model';

/** The `@listSize` of the field whose selection set is being priced, for its `sizedFields`. */
interface SizingParent {
  expectedSize: number | null;
  sizedFields: string[] | null;
}

const inProgress = Symbol('in progress');

/** Spreads nested in spreads beyond this are refused rather than followed to the stack's end. */
const maxSpreadNesting = 1_000;

/**
 * Prices selection sets before execution, as Apollo Router's static estimate does on a
 * supergraph: a field costs (its items) × (its weight + its selections) + its arguments + what
 * its `@requires` needs. Weights: `@cost`, else 1 for objects, interfaces and unions and 0 for
 * scalars and enums. Items: 1, or for a list its sized parent's size, its `@listSize`
 * (largest slicing argument, else `assumedSize`), else the default list size. Each fragment is
 * priced once per sizing parent, so a fragment bomb costs linear time.
 */
export class SelectionCost {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly fragmentCosts = new Map<string, number | typeof inProgress>();
  private readonly argumentCost: ArgumentCost;
  private spreadNesting = 0;

  constructor(
    private readonly model: CostModel,
    private readonly schema: GraphQLSchema,
    private readonly variables: Record<string, unknown>,
    document: DocumentNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    this.argumentCost = new ArgumentCost(model, variables);
  }

  ofSelectionSet(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, sizing: SizingParent | null): number {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (isSkipped(selection, this.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const sized = sizing?.sizedFields?.includes(selection.name.value) ? sizing.expectedSize : null;
        cost += this.ofField(selection, parentType, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.compositeType(selection.typeCondition.name.value) : parentType;
        cost += this.ofSelectionSet(selection.selectionSet, type, sizing);
      } else {
        cost += this.ofFragment(selection.name.value, sizing);
      }
    }
    return cost;
  }

  private ofFragment(name: string, sizing: SizingParent | null): number {
    const key = sizing ? `${name}\n${sizing.expectedSize}\n${sizing.sizedFields?.join(',')}` : name;
    const known = this.fragmentCosts.get(key);
    // A cycle: validation refuses it; price it once.
    if (known === inProgress) return 0;
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) throw new CostEstimateError(`The document has no fragment ${name}`);
    if (this.spreadNesting >= maxSpreadNesting) throw new CostEstimateError(`Fragment spreads nest more than ${maxSpreadNesting} deep`);
    this.fragmentCosts.set(key, inProgress);
    this.spreadNesting++;
    const cost = this.ofSelectionSet(fragment.selectionSet, this.compositeType(fragment.typeCondition.name.value), sizing);
    this.spreadNesting--;
    this.fragmentCosts.set(key, cost);
    return cost;
  }

  private ofField(node: FieldNode, parentType: GraphQLCompositeType, sizedByParent: number | null): number {
    const name = node.name.value;
    // __typename and introspection are answered by the gateway from the schema, not by subgraphs.
    if (name.startsWith('__')) return 0;
    const field = fieldOf(parentType, name);
    const type = getNamedType(field.type);
    const listSize = this.model.listSize(parentType.name, name);
    const expectedSize = listSize ? this.expectedSize(listSize, field, node) : null;
    const items = !isListType(getNullableType(field.type)) ? 1 : (sizedByParent ?? expectedSize ?? this.model.defaultListSize);

    let weight = this.model.fieldWeight(parentType.name, name, type.name) ?? (isCompositeType(type) ? 1 : 0);
    if (node.selectionSet && isCompositeType(type)) {
      weight += this.ofSelectionSet(node.selectionSet, type, listSize ? { expectedSize, sizedFields: listSize.sizedFields } : null);
    }
    let argumentsCost = 0;
    for (const argument of node.arguments ?? []) argumentsCost += this.argumentCost.of(parentType.name, field, argument);
    return items * weight + argumentsCost + this.model.requiresCost(parentType.name, name);
  }

  /** The largest slicing argument given (or defaulted), else `assumedSize`; null when neither applies. */
  private expectedSize(listSize: ListSize, field: GraphQLField<unknown, unknown>, node: FieldNode): number | null {
    if (listSize.slicingArguments) {
      const sizes = new Map<string, number>();
      for (const argument of field.args) {
        if (listSize.slicingArguments.includes(argument.name) && Number.isInteger(argument.defaultValue)) {
          sizes.set(argument.name, argument.defaultValue as number);
        }
      }
      for (const argument of node.arguments ?? []) {
        if (!listSize.slicingArguments.includes(argument.name.value)) continue;
        const value = argument.value;
        const given =
          value.kind === Kind.INT ? Number(value.value) : value.kind === Kind.VARIABLE ? this.variables[value.name.value] : undefined;
        if (Number.isInteger(given)) sizes.set(argument.name.value, given as number);
      }
      if (listSize.requireOneSlicingArgument && sizes.size !== 1) {
        throw new CostEstimateError(`${field.name}: exactly one slicing argument (${listSize.slicingArguments.join(', ')}) is required, but found ${sizes.size}`);
      }
      // A negative page is refused by the subgraph; it must not lower the estimate.
      if (sizes.size > 0) return Math.max(0, ...sizes.values());
    }
    return listSize.assumedSize;
  }

  private compositeType(name: string): GraphQLCompositeType {
    const type = this.schema.getType(name);
    if (!isCompositeType(type)) throw new CostEstimateError(`Type ${name} is not an object, interface or union of the schema`);
    return type;
  }
}

/** The field a selection names on an object or interface; unions have none but __typename. */
export function fieldOf(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> {
  const field = isUnionType(parentType) ? undefined : parentType.getFields()[name];
  if (!field) throw new CostEstimateError(`Field ${parentType.name}.${name} is not in the schema`);
  return field;
}

/** `@skip(if: true)` or `@include(if: false)`, literally or through a variable. */
function isSkipped(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    const value = condition?.kind === Kind.BOOLEAN ? condition.value : condition?.kind === Kind.VARIABLE ? variables[condition.name.value] : undefined;
    if (typeof value === 'boolean' && value === (name === 'skip')) return true;
  }
  return false;
}
