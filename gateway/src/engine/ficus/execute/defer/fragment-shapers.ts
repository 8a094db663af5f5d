import { DocumentNode, GraphQLObjectType, GraphQLSchema, isAbstractType, Kind } from 'graphql';
import { ResponseShaper } from '../shape-response';
import type { DeferredFragment } from './deferred-operation';

const rootedSchemas = new WeakMap<GraphQLSchema, Map<string, GraphQLSchema>>();

/**
 * The API schema with `type` as its query root. The response shaper completes values from the
 * root down, so a deferred fragment is shaped over its object as if the object were the root:
 * a null in one of its non-null fields then stops at the fragment (its payload's data is null),
 * as incremental delivery has it, instead of reaching the objects above it.
 */
function rootedAt(schema: GraphQLSchema, type: GraphQLObjectType): GraphQLSchema {
  let byType = rootedSchemas.get(schema);
  if (!byType) rootedSchemas.set(schema, (byType = new Map()));
  let rooted = byType.get(type.name);
  if (!rooted) {
    rooted = type === schema.getQueryType() ? schema : new GraphQLSchema({ ...schema.toConfig(), query: type, mutation: null, subscription: null, assumeValid: true });
    byType.set(type.name, rooted);
  }
  return rooted;
}

/** Shapers of one operation's deferred fragments, one per fragment and runtime type of the object it completes. */
export class FragmentShapers {
  private readonly shapers = new Map<string, ResponseShaper>();

  constructor(private readonly schema: GraphQLSchema) {}

  shaperFor(fragment: DeferredFragment, type: GraphQLObjectType): ResponseShaper {
    const key = `${fragment.id}\n${type.name}`;
    let shaper = this.shapers.get(key);
    if (!shaper) {
      const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [fragment.selection] };
      this.shapers.set(key, (shaper = new ResponseShaper(rootedAt(this.schema, type), document, fragment.selection)));
    }
    return shaper;
  }

  /** Whether a fragment with this type condition applies to an object of `type`. */
  applies(condition: string | null, type: GraphQLObjectType): boolean {
    if (condition === null || condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }
}
