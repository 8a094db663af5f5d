import fs from 'node:fs';
import path from 'node:path';
import { OperationDefinitionNode, parse, print } from 'graphql';
import { repoRoot } from './repo';

/** The operations real clients send (contract/operations), by operation name. */
export function contractOperations(): Map<string, string> {
  const dir = path.join(repoRoot(), 'contract', 'operations');
  const operations = new Map<string, string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    const document = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const definition of document.definitions) {
      const operation = definition as OperationDefinitionNode;
      if (operation.kind === 'OperationDefinition' && operation.name) operations.set(operation.name.value, print(operation));
    }
  }
  return operations;
}
