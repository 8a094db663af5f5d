import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoSupergraphConfig = path.resolve(__dirname, '../../supergraph.yaml');

const folders: string[] = [];

/** A folder of its own holding a supergraph.yaml and the schema files it names. */
export function writeSupergraph(files: Record<string, string>): { dir: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-compose-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, config: path.join(dir, 'supergraph.yaml') };
}

export function removeSupergraphFolders(): void {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const productsSdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String! }
`;

/** Also resolves Product.name without @shareable: composition refuses it. */
export const clashingReviewsSdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "id") { id: ID! name: String! rating: Int }
`;

export function twoSubgraphConfig(reviewsFile = 'reviews.graphql'): string {
  return `federation_version: =2.14.4
subgraphs:
  products:
    routing_url: http://127.0.0.1:4002/graphql
    schema:
      file: ./products.graphql
  reviews:
    routing_url: http://127.0.0.1:4010/graphql
    schema:
      file: ./${reviewsFile}
`;
}
