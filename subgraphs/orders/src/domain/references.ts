/** A user as the gateway names it to orders: only its key. */
export interface UserReference {
  id: string;
}

/** A product as orders names it to the gateway: only its key (products resolves the rest). */
export interface ProductReference {
  __typename: 'Product';
  id: string;
}
