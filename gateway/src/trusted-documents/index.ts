export { persistedQueriesCacheFile, readTrustedDocumentsConfig, trustedDocumentsEnv } from './config';
export type { PersistedQueriesMode, PersistedQueriesSource, TrustedDocumentsConfig } from './config';
export { ManifestError, readManifest } from './manifest';
export { OperationList } from './operation-list';
export type { ListedOperation } from './operation-list';
export { resolveDocument, trustedDocumentOutcomes } from './resolve-document';
export type { DocumentRequest, DocumentResolution, ResolverState, TrustedDocumentOutcome } from './resolve-document';
export { TrustedDocuments } from './trusted-documents';
export type { TrustedDocumentsOptions } from './trusted-documents';
