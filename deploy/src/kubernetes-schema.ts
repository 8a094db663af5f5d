import type { Manifest } from './manifests';

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

/**
 * Validates an object against the Kubernetes OpenAPI schema of its apiVersion and kind, with
 * the ajv validators kubernetes-models compiles from it (types, formats, required fields,
 * enums). Returns the problems, none when valid; an apiVersion/kind it does not know is one.
 */
export function schemaProblems(manifest: Manifest): string[] {
  let model: ModelClass | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    model = (require(`kubernetes-models/${manifest.apiVersion}`) as Record<string, ModelClass>)[manifest.kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`${manifest.apiVersion} ${manifest.kind} is not a Kubernetes kind known to kubernetes-models`];
  try {
    new model(manifest).validate();
    return [];
  } catch (err) {
    const details = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    return details?.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()) ?? [String(err)];
  }
}
