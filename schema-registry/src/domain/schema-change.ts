/** How much a change to the client-facing API can hurt clients. */
export type ChangeSeverity = 'BREAKING' | 'DANGEROUS' | 'SAFE';

/** One difference between the API schema before and after a proposed subgraph. */
export interface SchemaChange {
  /** GraphOS's change code where one exists (FIELD_REMOVED, ARG_CHANGED_TYPE, …), else graphql-inspector's. */
  code: string;
  severity: ChangeSeverity;
  /** The schema coordinate it changes: `Product.sku`, `Query.products.first`, `OrderStatus.PENDING`, `Product`. */
  coordinate: string;
  message: string;
}
