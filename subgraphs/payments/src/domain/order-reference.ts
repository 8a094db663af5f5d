/** An order as payments knows it: orders owns it, payments only its key. */
export interface OrderReference {
  __typename?: 'Order';
  id: string;
}
