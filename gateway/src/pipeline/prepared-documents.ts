import { DocumentNode, GraphQLError, GraphQLSchema, Kind, NoSchemaIntrospectionCustomRule, specifiedRules, validate } from 'graphql';
import { gatewayError, Refusal, refusal } from '../errors';
import { exceededLimits, LimitViolation, measureOperation, OperationLimits, parseWithinLimits } from '../safety';
import { DeferDirectiveRule } from './defer-validation';
import { conditionalSubscriptionRoot, SubscriptionRootConditionsRule } from './subscription-root-conditions';

const introspectionField = /__(schema|type)\b/;

/** What a document must keep to before it is validated, planned or run. */
export interface DocumentRules {
  maxTokens: number;
  maxRecursion: number;
  limits: OperationLimits;
  /** `warn` serves operations over the limits and only reports them, for rolling limits out. */
  limitsMode: 'enforce' | 'warn';
  introspection: boolean;
}

/** A document checked against the rules and the API schema: runnable, or refused with the reason. */
export type PreparedDocument =
  | { document: DocumentNode; refused?: undefined; overLimits: LimitViolation[] }
  | { refused: Refusal; document?: undefined; overLimits: LimitViolation[] };

/**
 * Parses, measures and validates each document once per API schema and keeps the outcome,
 * refusals included, since clients repeat a few documents and an attacker repeats one. Text is
 * scanned and every operation measured before validation, whose cost grows with the document.
 * Bounded by the total length of the documents kept, so a flood of distinct ones cannot grow memory.
 */
export class PreparedDocuments {
  private readonly bySchema = new WeakMap<GraphQLSchema, Map<string, PreparedDocument>>();
  private keptChars = 0;

  constructor(
    private readonly rules: DocumentRules,
    /** A kept syntax tree holds about 50 bytes of heap per character of its text: 2M characters is about 100 MB. */
    private readonly maxKeptChars = 2_000_000,
  ) {}

  prepare(schema: GraphQLSchema, query: string): PreparedDocument {
    let documents = this.bySchema.get(schema);
    if (!documents) this.bySchema.set(schema, (documents = new Map()));
    const known = documents.get(query);
    if (known) return known;
    const prepared = this.check(schema, query);
    if (this.keptChars + query.length > this.maxKeptChars) {
      documents.clear();
      this.keptChars = 0;
    }
    documents.set(query, prepared);
    this.keptChars += query.length;
    return prepared;
  }

  private check(schema: GraphQLSchema, query: string): PreparedDocument {
    const parsed = parseWithinLimits(query, { maxTokens: this.rules.maxTokens, maxRecursion: this.rules.maxRecursion });
    if (parsed.violation) return { refused: refusal(parsed.violation.code, parsed.violation.message), overLimits: [] };
    const { document } = parsed;
    const overLimits = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? exceededLimits(measureOperation(document, definition.name?.value), this.rules.limits) : [],
    );
    if (overLimits.length > 0 && this.rules.limitsMode === 'enforce') {
      return { refused: { status: 400, errors: overLimits.map((v) => gatewayError(v.code, v.message, { limit: v.limit, measured: v.measured })) }, overLimits };
    }
    const invalid = validated(schema, document);
    if (invalid.length > 0) {
      const errors = invalid.map((e) => new GraphQLError(validationMessage(e), { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      return { refused: { status: 400, errors }, overLimits };
    }
    // Only a document that names __schema or __type can introspect: the others skip a second validation pass.
    if (!this.rules.introspection && introspectionField.test(query)) {
      const introspecting = validate(schema, document, [NoSchemaIntrospectionCustomRule]);
      if (introspecting.length > 0) return { refused: refusal('INTROSPECTION_DISABLED', 'introspection is disabled on this gateway'), overLimits };
    }
    return { document, overLimits };
  }
}

const validationRules = [...specifiedRules, DeferDirectiveRule, SubscriptionRootConditionsRule];

/**
 * graphql-js 16's single-field rule collects a subscription's root fields without variables, and
 * throws where `@skip` or `@include` there reads one: such a document is refused as invalid, as
 * the specification's later drafts make it (no `@skip` or `@include` on a subscription's root).
 */
function validated(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  try {
    return validate(schema, document, validationRules);
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return [new GraphQLError(`${conditionalSubscriptionRoot} (${err.message})`, { nodes: err.nodes })];
  }
}

/**
 * graphql-js stops validating a document whose overlapping fields or fragment spreads would take
 * it too long to compare (a thousand copies of one field), with a bare "Validation aborted.":
 * the client is told what of its document did it.
 */
function validationMessage(error: GraphQLError): string {
  return error.message === 'Validation aborted.'
    ? 'Validation aborted: the operation repeats the same fields or fragment spreads too many times to be checked; select each field once'
    : error.message;
}
