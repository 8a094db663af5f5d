import { DirectiveNode, OperationDefinitionNode, ValueNode, Kind } from 'graphql';

/**
 * Evaluates `@skip` and `@include` with the request's variables, so that what an operation
 * skips is not reported as unauthorized. A condition it cannot decide counts as included:
 * at worst a skipped field is reported, never an unreported one served.
 */
export class SelectionConditions {
  private readonly defaults = new Map<string, ValueNode>();

  constructor(
    operation: OperationDefinitionNode,
    private readonly variables: Record<string, unknown>,
  ) {
    for (const definition of operation.variableDefinitions ?? []) {
      if (definition.defaultValue) this.defaults.set(definition.variable.name.value, definition.defaultValue);
    }
  }

  /** False when the selection's `@skip(if:)` is true or its `@include(if:)` false. */
  includes(selection: { directives?: readonly DirectiveNode[] }): boolean {
    for (const directive of selection.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const condition = this.valueOf(directive.arguments?.find((a) => a.name.value === 'if')?.value);
      if (name === 'skip' && condition === true) return false;
      if (name === 'include' && condition === false) return false;
    }
    return true;
  }

  private valueOf(value: ValueNode | undefined): boolean | undefined {
    if (value?.kind === Kind.BOOLEAN) return value.value;
    if (value?.kind !== Kind.VARIABLE) return undefined;
    const name = value.name.value;
    if (name in this.variables) {
      const given = this.variables[name];
      return typeof given === 'boolean' ? given : undefined;
    }
    return this.valueOf(this.defaults.get(name));
  }
}
