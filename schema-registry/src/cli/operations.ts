/** The registry operations the CLI sends, and the shapes it reads back. */
const compositionMessage = 'code message locations { subgraph line column }';

export const CHECK_SUBGRAPH = /* GraphQL */ `
  mutation CheckSubgraph($input: CheckSubgraphInput!) {
    checkSubgraph(input: $input) {
      id graphRef subgraph passed createdAt createdBy
      compositionErrors { ${compositionMessage} }
      changes {
        code severity coordinate message blocking
        affectedOperations { signatureHash name count clients { name version count } }
      }
      usage { from to totalRequests validationPeriod queryCountThreshold queryPercentageThreshold excludedClients excludedOperationNames }
    }
  }
`;

export const PUBLISH_SUBGRAPH = /* GraphQL */ `
  mutation PublishSubgraph($input: PublishSubgraphInput!) {
    publishSubgraph(input: $input) {
      published unchanged
      subgraph { name routingUrl publishedAt publishedBy }
      supergraph { id createdAt }
      compositionErrors { ${compositionMessage} }
      hints { ${compositionMessage} }
    }
  }
`;

export const DELETE_SUBGRAPH = /* GraphQL */ `
  mutation DeleteSubgraph($input: DeleteSubgraphInput!) {
    deleteSubgraph(input: $input) {
      deleted dryRun
      supergraph { id createdAt }
      compositionErrors { ${compositionMessage} }
      hints { ${compositionMessage} }
    }
  }
`;

export const LIST_SUBGRAPHS = /* GraphQL */ `
  query ListSubgraphs($ref: String!) {
    variant(ref: $ref) { subgraphs { name routingUrl publishedAt publishedBy } }
  }
`;

export const FETCH_SUBGRAPH = /* GraphQL */ `
  query FetchSubgraph($ref: String!, $name: String!) {
    variant(ref: $ref) { subgraph(name: $name) { name routingUrl sdl publishedAt publishedBy } }
  }
`;

export const FETCH_SUPERGRAPH = /* GraphQL */ `
  query FetchSupergraph($ref: String!) {
    variant(ref: $ref) { supergraph { id sdl createdAt } }
  }
`;

export interface CompositionMessageView {
  code: string;
  message: string;
  locations: { subgraph: string; line: number; column: number }[];
}

export interface CheckRunView {
  id: string;
  graphRef: string;
  subgraph: string;
  passed: boolean;
  createdAt: string;
  createdBy: string;
  compositionErrors: CompositionMessageView[];
  changes: {
    code: string;
    severity: 'BREAKING' | 'DANGEROUS' | 'SAFE';
    coordinate: string;
    message: string;
    blocking: boolean;
    affectedOperations: { signatureHash: string; name: string | null; count: number; clients: { name: string; version: string; count: number }[] }[];
  }[];
  usage: {
    from: string;
    to: string;
    totalRequests: number;
    validationPeriod: string;
    queryCountThreshold: number;
    queryPercentageThreshold: number;
    excludedClients: string[];
    excludedOperationNames: string[];
  } | null;
}

export interface PublishResultView {
  published: boolean;
  unchanged: boolean;
  subgraph: { name: string; routingUrl: string; publishedAt: string; publishedBy: string } | null;
  supergraph: { id: string; createdAt: string } | null;
  compositionErrors: CompositionMessageView[];
  hints: CompositionMessageView[];
}

export interface DeleteResultView {
  deleted: boolean;
  dryRun: boolean;
  supergraph: { id: string; createdAt: string } | null;
  compositionErrors: CompositionMessageView[];
  hints: CompositionMessageView[];
}

const eventContractChange = 'code severity coordinate message';

export const CHECK_EVENT_CONTRACTS = /* GraphQL */ `
  mutation CheckEventContracts($input: CheckEventContractsInput!) {
    checkEventContracts(input: $input) {
      passed
      baseline { publishedAt publishedBy }
      changes { ${eventContractChange} }
    }
  }
`;

export const PUBLISH_EVENT_CONTRACTS = /* GraphQL */ `
  mutation PublishEventContracts($input: PublishEventContractsInput!) {
    publishEventContracts(input: $input) { published unchanged changes { ${eventContractChange} } }
  }
`;

export interface EventContractChangeView {
  code: string;
  severity: 'BREAKING' | 'DANGEROUS' | 'SAFE';
  coordinate: string;
  message: string;
}

export interface EventContractsCheckView {
  passed: boolean;
  baseline: { publishedAt: string; publishedBy: string } | null;
  changes: EventContractChangeView[];
}

export interface EventContractsPublishView {
  published: boolean;
  unchanged: boolean;
  changes: EventContractChangeView[];
}

export const PUBLISH_PERSISTED_QUERIES = /* GraphQL */ `
  mutation PublishPersistedQueries($input: PublishPersistedQueriesInput!) {
    publishPersistedQueries(input: $input) {
      published unchanged added identical total revision
      conflicts { id name publishedName }
    }
  }
`;

export interface PersistedQueriesPublishView {
  published: boolean;
  unchanged: boolean;
  added: number;
  identical: number;
  total: number;
  revision: number;
  conflicts: { id: string; name: string; publishedName: string }[];
}

const apiKeyFields = 'id name scopes createdAt';

export const CREATE_API_KEY = /* GraphQL */ `
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { key apiKey { ${apiKeyFields} } }
  }
`;

export const LIST_API_KEYS = /* GraphQL */ `
  query ApiKeys { apiKeys { ${apiKeyFields} } }
`;

export const REVOKE_API_KEY = /* GraphQL */ `
  mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { ${apiKeyFields} } }
`;

export const AUDIT_LOG = /* GraphQL */ `
  query AuditLog($ref: String, $action: String, $limit: Int, $before: ID) {
    auditLog(ref: $ref, action: $action, limit: $limit, before: $before) { id at action graphRef subject outcome actor actorKeyId details }
  }
`;

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

export interface AuditEventView {
  id: string;
  at: string;
  action: string;
  graphRef: string | null;
  subject: string | null;
  outcome: string;
  actor: string;
  actorKeyId: string;
  details: string;
}
