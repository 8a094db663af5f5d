/**
 * An operation the cost rules cannot price: a slicing argument `@listSize(requireOneSlicingArgument:)`
 * demands is missing, a field or fragment is not in the schema (the document was not validated),
 * or an input value nests absurdly deep. Apollo Router's code for it is COST_QUERY_PARSE_FAILURE;
 * refuse the request with 400.
 */
export class CostEstimateError extends Error {
  readonly code = 'COST_QUERY_PARSE_FAILURE';

  constructor(message: string) {
    super(message);
    this.name = 'CostEstimateError';
  }
}
