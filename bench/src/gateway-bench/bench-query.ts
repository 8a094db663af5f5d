/**
 * The one query both gateways answer: 5 subgraph fetches over 3 levels. products (topProducts),
 * then reviews and inventory (each product's reviews and stock), then users and inventory
 * (each review's author, and the stock of the product the review names).
 */
export const benchQuery = `query TopProducts {
  topProducts(first: 5) {
    upc name price inStock
    reviews { id body author { id username } product { upc inStock } }
  }
}`;

export const benchRequestBody = JSON.stringify({ query: benchQuery, operationName: 'TopProducts' });
