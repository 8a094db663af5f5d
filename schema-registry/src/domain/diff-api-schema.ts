import { Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { ChangeSeverity, SchemaChange } from './schema-change';

const severities: Record<CriticalityLevel, ChangeSeverity> = {
  [CriticalityLevel.Breaking]: 'BREAKING',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE',
};

// graphql-inspector's change types spelled as GraphOS spells them in `rover subgraph check`.
const graphosCodes: Record<string, string> = {
  FIELD_REMOVED: 'FIELD_REMOVED',
  FIELD_ADDED: 'FIELD_ADDED',
  FIELD_TYPE_CHANGED: 'FIELD_CHANGED_TYPE',
  TYPE_REMOVED: 'TYPE_REMOVED',
  TYPE_ADDED: 'TYPE_ADDED',
  TYPE_KIND_CHANGED: 'TYPE_CHANGED_KIND',
  FIELD_ARGUMENT_REMOVED: 'ARG_REMOVED',
  FIELD_ARGUMENT_TYPE_CHANGED: 'ARG_CHANGED_TYPE',
  FIELD_ARGUMENT_DEFAULT_CHANGED: 'ARG_DEFAULT_VALUE_CHANGE',
  FIELD_ARGUMENT_DESCRIPTION_CHANGED: 'ARG_DESCRIPTION_CHANGE',
  ENUM_VALUE_REMOVED: 'VALUE_REMOVED_FROM_ENUM',
  ENUM_VALUE_ADDED: 'VALUE_ADDED_TO_ENUM',
  ENUM_VALUE_DESCRIPTION_CHANGED: 'ENUM_VALUE_DESCRIPTION_CHANGE',
  ENUM_VALUE_DEPRECATION_REASON_ADDED: 'ENUM_DEPRECATED',
  ENUM_VALUE_DEPRECATION_REASON_REMOVED: 'ENUM_DEPRECATION_REMOVED',
  ENUM_VALUE_DEPRECATION_REASON_CHANGED: 'ENUM_DEPRECATED_REASON_CHANGE',
  INPUT_FIELD_REMOVED: 'FIELD_REMOVED_FROM_INPUT_OBJECT',
  INPUT_FIELD_TYPE_CHANGED: 'INPUT_FIELD_CHANGED_TYPE',
  INPUT_FIELD_DEFAULT_VALUE_CHANGED: 'INPUT_FIELD_DEFAULT_VALUE_CHANGE',
  INPUT_FIELD_DESCRIPTION_ADDED: 'INPUT_FIELD_DESCRIPTION_CHANGE',
  INPUT_FIELD_DESCRIPTION_REMOVED: 'INPUT_FIELD_DESCRIPTION_CHANGE',
  INPUT_FIELD_DESCRIPTION_CHANGED: 'INPUT_FIELD_DESCRIPTION_CHANGE',
  UNION_MEMBER_REMOVED: 'TYPE_REMOVED_FROM_UNION',
  UNION_MEMBER_ADDED: 'TYPE_ADDED_TO_UNION',
  OBJECT_TYPE_INTERFACE_REMOVED: 'TYPE_REMOVED_FROM_INTERFACE',
  OBJECT_TYPE_INTERFACE_ADDED: 'TYPE_ADDED_TO_INTERFACE',
  FIELD_DEPRECATION_ADDED: 'FIELD_DEPRECATED',
  FIELD_DEPRECATION_REMOVED: 'FIELD_DEPRECATION_REMOVED',
  FIELD_DEPRECATION_REASON_ADDED: 'FIELD_DEPRECATED_REASON_CHANGE',
  FIELD_DEPRECATION_REASON_REMOVED: 'FIELD_DEPRECATED_REASON_CHANGE',
  FIELD_DEPRECATION_REASON_CHANGED: 'FIELD_DEPRECATED_REASON_CHANGE',
  FIELD_DESCRIPTION_ADDED: 'FIELD_DESCRIPTION_CHANGE',
  FIELD_DESCRIPTION_REMOVED: 'FIELD_DESCRIPTION_CHANGE',
  FIELD_DESCRIPTION_CHANGED: 'FIELD_DESCRIPTION_CHANGE',
  TYPE_DESCRIPTION_ADDED: 'TYPE_DESCRIPTION_CHANGE',
  TYPE_DESCRIPTION_REMOVED: 'TYPE_DESCRIPTION_CHANGE',
  TYPE_DESCRIPTION_CHANGED: 'TYPE_DESCRIPTION_CHANGE',
};

/** Changes from the API schema clients saw to the one they would see, breaking first. */
export async function diffApiSchema(before: GraphQLSchema, after: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = await diff(before, after);
  const order: ChangeSeverity[] = ['BREAKING', 'DANGEROUS', 'SAFE'];
  return changes
    .map(toSchemaChange)
    .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || a.coordinate.localeCompare(b.coordinate));
}

function toSchemaChange(change: Change): SchemaChange {
  return {
    code: codeOf(change),
    severity: severities[change.criticality.level],
    coordinate: change.path ?? '',
    message: change.message,
  };
}

function codeOf(change: Change): string {
  // One inspector type covers both the required and the optional case, which GraphOS tells apart.
  if (change.type === 'FIELD_ARGUMENT_ADDED') {
    return change.criticality.level === CriticalityLevel.Breaking ? 'REQUIRED_ARG_ADDED' : 'OPTIONAL_ARG_ADDED';
  }
  if (change.type === 'INPUT_FIELD_ADDED') {
    return change.criticality.level === CriticalityLevel.Breaking
      ? 'REQUIRED_FIELD_ADDED_TO_INPUT_OBJECT'
      : 'NULLABLE_FIELD_ADDED_TO_INPUT_OBJECT';
  }
  return graphosCodes[change.type] ?? change.type;
}
