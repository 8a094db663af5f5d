import path from 'node:path';
import ts from 'typescript';
import type { Manifest } from './manifests';

/**
 * Fields the Kubernetes API does not define, which the schema validators let pass (the
 * Kubernetes schemas allow additional properties) and the API server drops or refuses: a
 * misspelt `livenessProbes` would leave a pod without its probe. Each manifest is type-checked
 * as an object literal of kubernetes-models' interface for its kind, so TypeScript's excess
 * property check names every unknown field with its path's type.
 */
export function unknownFieldProblems(manifests: Manifest[]): string[] {
  const lines = manifests.map((m, i) => `import type { I${m.kind} as T${i} } from 'kubernetes-models/${m.apiVersion}/${m.kind}';`);
  const firstValueLine = lines.length;
  lines.push(...manifests.map((m, i) => `export const m${i}: T${i} = ${JSON.stringify(m)};`));
  // Beside this package's own files, so that kubernetes-models resolves from its node_modules.
  const file = path.join(__dirname, '__rendered-manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (path.resolve(name) === file ? lines.join('\n') : readFile(name));
  host.fileExists = (name) => path.resolve(name) === file || ts.sys.fileExists(name);
  host.getSourceFile = (name, language) =>
    path.resolve(name) === file ? ts.createSourceFile(name, lines.join('\n'), language) : getSourceFile(name, language);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const manifest = manifests[line - firstValueLine];
    return manifest ? `${manifest.kind}/${manifest.metadata.name}: ${message}` : message;
  });
}
