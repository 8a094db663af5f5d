/** The client's variables a subgraph operation uses (a plan's `variableUsages`), and only those. */
export function variablesUsed(variables: Record<string, unknown>, names: readonly string[] | undefined): Record<string, unknown> {
  const used: Record<string, unknown> = {};
  for (const name of names ?? []) if (variables[name] !== undefined) used[name] = variables[name];
  return used;
}
