import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLCompositeType,
  GraphQLNamedType,
  GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isObjectType,
  isUnionType,
  Kind,
  SelectionSetNode,
} from 'graphql';
import { ArgumentCost } from './argument-cost';
import type { CostModel } from './cost-model';

const maxSpreadNesting = 1_000;

/**
 * What a response actually cost, as Apollo Router counts it: every object returned costs its
 * `@cost` or 1, every scalar its `@cost` or 0, a null nothing, and each field's arguments once.
 * Fields are matched by response name (aliases count) and a name selected twice counts once,
 * as it is returned once. `data` is the response's `data`; null or absent costs 0.
 */
export function actualCost(
  model: CostModel,
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  const root = operation && apiSchema.getRootType(operation.operation);
  if (!operation || !root || !isPlainObject(data)) return 0;
  return new ResponseCost(model, apiSchema, variables, document).ofObject([operation.selectionSet], root, data);
}

interface PricedField {
  type: GraphQLNamedType;
  weight: number | null;
  /** The field's arguments, counted once per value returned. */
  arguments: number;
  selectionSets: SelectionSetNode[];
}

class ResponseCost {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly argumentCost: ArgumentCost;
  // Every item of a list has the same selections: they are collected once per list and type.
  private readonly collected = new WeakMap<SelectionSetNode[], Map<string | null, Map<string, FieldNode[]>>>();
  private readonly priced = new WeakMap<FieldNode[], Map<string, PricedField | null>>();

  constructor(
    private readonly model: CostModel,
    private readonly schema: GraphQLSchema,
    variables: Record<string, unknown>,
    document: DocumentNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    this.argumentCost = new ArgumentCost(model, variables);
  }

  ofObject(selectionSets: SelectionSetNode[], staticType: GraphQLCompositeType, object: Record<string, unknown>): number {
    const runtimeType = this.runtimeType(staticType, object);
    const type = runtimeType ?? staticType;
    let cost = 0;
    for (const [responseName, nodes] of this.fieldsOf(selectionSets, runtimeType)) {
      const value = object[responseName];
      if (value !== undefined) cost += this.ofField(nodes, type, value);
    }
    return cost;
  }

  private ofField(nodes: FieldNode[], parentType: GraphQLCompositeType, value: unknown): number {
    const priced = this.pricedField(nodes, parentType);
    return priced ? this.ofValue(priced.selectionSets, priced.type, priced.weight, value) + priced.arguments : 0;
  }

  /** What a field costs apart from its value: the same for every item of a list, so worked out once. */
  private pricedField(nodes: FieldNode[], parentType: GraphQLCompositeType): PricedField | null {
    let byType = this.priced.get(nodes);
    if (!byType) this.priced.set(nodes, (byType = new Map()));
    let priced = byType.get(parentType.name);
    if (priced === undefined) byType.set(parentType.name, (priced = this.priceField(nodes, parentType)));
    return priced;
  }

  private priceField(nodes: FieldNode[], parentType: GraphQLCompositeType): PricedField | null {
    const name = nodes[0]!.name.value;
    if (name.startsWith('__') || isUnionType(parentType)) return null;
    const field = parentType.getFields()[name];
    // Not in the schema: priced as nothing, as Router does, rather than failing a served response.
    if (!field) return null;
    const type = getNamedType(field.type);
    let argumentsCost = 0;
    for (const argument of nodes[0]!.arguments ?? []) {
      try {
        argumentsCost += this.argumentCost.of(parentType.name, field, argument);
      } catch {
        // Arguments that cannot be priced were refused before execution; nothing to add here.
      }
    }
    return {
      type,
      weight: this.model.fieldWeight(parentType.name, name, type.name),
      arguments: argumentsCost,
      selectionSets: nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
    };
  }

  private ofValue(selectionSets: SelectionSetNode[], type: GraphQLNamedType, weight: number | null, value: unknown): number {
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + this.ofValue(selectionSets, type, weight, item), 0);
    if (isPlainObject(value) && isCompositeType(type)) return (weight ?? 1) + this.ofObject(selectionSets, type, value);
    return weight ?? 0;
  }

  /** The object's concrete type: its static type when that is an object type, else what `__typename` says. */
  private runtimeType(staticType: GraphQLCompositeType, object: Record<string, unknown>): GraphQLCompositeType | null {
    if (isObjectType(staticType)) return staticType;
    const named = typeof object.__typename === 'string' ? this.schema.getType(object.__typename) : undefined;
    return isObjectType(named) ? named : null;
  }

  private fieldsOf(selectionSets: SelectionSetNode[], runtimeType: GraphQLCompositeType | null): Map<string, FieldNode[]> {
    let byType = this.collected.get(selectionSets);
    if (!byType) this.collected.set(selectionSets, (byType = new Map()));
    const key = runtimeType?.name ?? null;
    let fields = byType.get(key);
    if (!fields) byType.set(key, (fields = this.collectFields(selectionSets, runtimeType)));
    return fields;
  }

  /** Fields by response name, through the fragments that apply to the runtime type (all of them when it is unknown). */
  private collectFields(selectionSets: SelectionSetNode[], runtimeType: GraphQLCompositeType | null): Map<string, FieldNode[]> {
    const fields = new Map<string, FieldNode[]>();
    const spread = new Set<string>();
    // Validation refused documents whose spreads nest anywhere near this before they ran.
    const visit = (selectionSet: SelectionSetNode, nesting = 0): void => {
      if (nesting > maxSpreadNesting) return;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          const known = fields.get(responseName);
          if (known) known.push(selection);
          else fields.set(responseName, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, runtimeType)) visit(selection.selectionSet, nesting + 1);
        } else if (!spread.has(selection.name.value)) {
          spread.add(selection.name.value);
          const fragment = this.fragments.get(selection.name.value);
          if (fragment && this.applies(fragment.typeCondition.name.value, runtimeType)) visit(fragment.selectionSet, nesting + 1);
        }
      }
    };
    for (const selectionSet of selectionSets) visit(selectionSet);
    return fields;
  }

  private applies(typeCondition: string | undefined, runtimeType: GraphQLCompositeType | null): boolean {
    if (!typeCondition || !runtimeType || typeCondition === runtimeType.name) return true;
    const condition = this.schema.getType(typeCondition);
    return isAbstractType(condition) && isObjectType(runtimeType) && this.schema.isSubType(condition, runtimeType);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
