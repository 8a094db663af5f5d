import { ArgumentNode, getNamedType, GraphQLField, GraphQLInputType, isInputObjectType, Kind, ValueNode } from 'graphql';
import { CostEstimateError } from './cost-estimate-error';
import type { CostModel } from './cost-model';

/** Deeper input values than this are refused rather than walked (no input type here nests half as deep). */
const maxInputDepth = 64;

/**
 * The cost of a field's arguments, as the IBM spec and Apollo Router price them: an input object
 * costs its `@cost` or 1 plus its fields, a list its `@cost` or 0 plus its items, anything else
 * its `@cost` or 0; a variable is priced by the value it was given.
 */
export class ArgumentCost {
  constructor(
    private readonly model: CostModel,
    private readonly variables: Record<string, unknown>,
  ) {}

  of(parentType: string, field: GraphQLField<unknown, unknown>, argument: ArgumentNode): number {
    const definition = field.args.find((a) => a.name === argument.name.value);
    if (!definition) throw new CostEstimateError(`Argument ${argument.name.value} of field ${parentType}.${field.name} is not in the schema`);
    const weight = this.model.argumentWeight(parentType, field.name, definition.name, getNamedType(definition.type).name);
    return this.ofLiteral(argument.value, definition.type, weight, 0);
  }

  private ofLiteral(value: ValueNode, type: GraphQLInputType, weight: number | null, depth: number): number {
    if (depth > maxInputDepth) throw new CostEstimateError(`An argument nests deeper than ${maxInputDepth} levels`);
    const named = getNamedType(type);
    switch (value.kind) {
      case Kind.NULL:
        return 0;
      case Kind.VARIABLE: {
        const given = this.variables[value.name.value];
        return given === undefined ? 0 : this.ofValue(given, type, weight, depth);
      }
      case Kind.LIST:
        return value.values.reduce((sum, item) => sum + this.ofLiteral(item, type, weight, depth + 1), weight ?? 0);
      case Kind.OBJECT: {
        if (!isInputObjectType(named)) return weight ?? 0;
        const fields = named.getFields();
        let cost = weight ?? 1;
        for (const field of value.fields) {
          const definition = fields[field.name.value];
          if (!definition) throw new CostEstimateError(`Input field ${named.name}.${field.name.value} is not in the schema`);
          const fieldWeight = this.model.inputFieldWeight(named.name, definition.name, getNamedType(definition.type).name);
          cost += this.ofLiteral(field.value, definition.type, fieldWeight, depth + 1);
        }
        return cost;
      }
      default:
        return weight ?? 0;
    }
  }

  private ofValue(value: unknown, type: GraphQLInputType, weight: number | null, depth: number): number {
    if (depth > maxInputDepth) throw new CostEstimateError(`A variable nests deeper than ${maxInputDepth} levels`);
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + this.ofValue(item, type, weight, depth + 1), weight ?? 0);
    const named = getNamedType(type);
    if (typeof value !== 'object' || !isInputObjectType(named)) return weight ?? 0;
    const fields = named.getFields();
    let cost = weight ?? 1;
    for (const [name, fieldValue] of Object.entries(value)) {
      const definition = fields[name];
      if (!definition) throw new CostEstimateError(`Input field ${named.name}.${name} is not in the schema`);
      const fieldWeight = this.model.inputFieldWeight(named.name, name, getNamedType(definition.type).name);
      cost += this.ofValue(fieldValue, definition.type, fieldWeight, depth + 1);
    }
    return cost;
  }
}
