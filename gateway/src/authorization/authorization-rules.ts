import {
  ConstDirectiveNode,
  ConstValueNode,
  DefinitionNode,
  EnumTypeDefinitionNode,
  EnumTypeExtensionNode,
  InterfaceTypeDefinitionNode,
  InterfaceTypeExtensionNode,
  Kind,
  ObjectTypeDefinitionNode,
  ObjectTypeExtensionNode,
  parse,
  ScalarTypeDefinitionNode,
  ScalarTypeExtensionNode,
} from 'graphql';
import {
  AccessRequirement,
  Alternatives,
  bothRequirements,
  isRequirement,
  noRequirement,
} from './access-requirement';
import { authorizationDirectiveNames, AuthorizationDirectiveNames } from './directive-names';

/**
 * Which types (object, interface, scalar, enum) and fields of one supergraph carry
 * `@authenticated`, `@requiresScopes` or `@policy`, read from the supergraph SDL (the API
 * schema strips them). Built once per supergraph.
 */
export class AuthorizationRules {
  private constructor(
    /** `Type` or `Type.field` to what it requires. */
    private readonly requirements: ReadonlyMap<string, AccessRequirement>,
    /** Every policy name the supergraph uses. */
    readonly policyNames: ReadonlySet<string>,
  ) {}

  static readonly none = new AuthorizationRules(new Map(), new Set());

  /** Reads a supergraph SDL; throws when it is not GraphQL or links an authorization spec version other than v0.1. */
  static fromSupergraph(supergraphSdl: string): AuthorizationRules {
    const document = parse(supergraphSdl);
    const names = authorizationDirectiveNames(document);
    if (!names.authenticated && !names.requiresScopes && !names.policy) return AuthorizationRules.none;
    const requirements = new Map<string, AccessRequirement>();
    const add = (coordinate: string, requirement: AccessRequirement) => {
      if (!isRequirement(requirement)) return;
      const known = requirements.get(coordinate);
      requirements.set(coordinate, known ? bothRequirements(known, requirement) : requirement);
    };
    for (const definition of document.definitions) readDefinition(definition, names, add);
    const policyNames = new Set<string>();
    for (const requirement of requirements.values()) requirement.policies?.forEach((all) => all.forEach((p) => policyNames.add(p)));
    return new AuthorizationRules(requirements, policyNames);
  }

  /** True when no type or field of the supergraph requires anything: authorization then costs nothing. */
  get isEmpty(): boolean {
    return this.requirements.size === 0;
  }

  ofType(typeName: string): AccessRequirement | undefined {
    return this.requirements.get(typeName);
  }

  ofField(typeName: string, fieldName: string): AccessRequirement | undefined {
    return this.requirements.get(`${typeName}.${fieldName}`);
  }
}

type GuardedDefinition =
  | ObjectTypeDefinitionNode
  | ObjectTypeExtensionNode
  | InterfaceTypeDefinitionNode
  | InterfaceTypeExtensionNode
  | ScalarTypeDefinitionNode
  | ScalarTypeExtensionNode
  | EnumTypeDefinitionNode
  | EnumTypeExtensionNode;

// The locations the three directives are declared on: OBJECT | INTERFACE | SCALAR | ENUM | FIELD_DEFINITION.
const guardedKinds = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_EXTENSION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.ENUM_TYPE_EXTENSION,
]);

function isGuarded(definition: DefinitionNode): definition is GuardedDefinition {
  return guardedKinds.has(definition.kind);
}

function readDefinition(
  definition: DefinitionNode,
  names: AuthorizationDirectiveNames,
  add: (coordinate: string, requirement: AccessRequirement) => void,
): void {
  if (!isGuarded(definition)) return;
  const typeName = definition.name.value;
  add(typeName, requirementOf(definition.directives ?? [], names));
  if (!('fields' in definition)) return;
  for (const field of definition.fields ?? []) {
    add(`${typeName}.${field.name.value}`, requirementOf(field.directives ?? [], names));
  }
}

function requirementOf(directives: readonly ConstDirectiveNode[], names: AuthorizationDirectiveNames): AccessRequirement {
  let requirement = noRequirement;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name === names.authenticated) {
      requirement = bothRequirements(requirement, { ...noRequirement, authenticated: true });
    } else if (name === names.requiresScopes) {
      requirement = bothRequirements(requirement, { ...noRequirement, scopes: alternativesOf(directive, 'scopes') });
    } else if (name === names.policy) {
      requirement = bothRequirements(requirement, { ...noRequirement, policies: alternativesOf(directive, 'policies') });
    }
  }
  return requirement;
}

/** `[["a", "b"], ["c"]]`; null for an empty outer list, which requires nothing. */
function alternativesOf(directive: ConstDirectiveNode, argument: string): Alternatives | null {
  const value = directive.arguments?.find((a) => a.name.value === argument)?.value;
  const alternatives = listOf(value).map((inner) => listOf(inner).flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])));
  return alternatives.length > 0 ? alternatives : null;
}

function listOf(value: ConstValueNode | undefined): readonly ConstValueNode[] {
  if (!value) return [];
  // A one-item list may be written without brackets.
  return value.kind === Kind.LIST ? value.values : [value];
}
