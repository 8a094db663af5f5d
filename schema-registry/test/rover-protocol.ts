/**
 * The operations rover sends to Apollo's Platform API, with the operation names, document text and
 * variables rover uses (apollographql/rover, crates/rover-client/src/operations/**), and how rover
 * reads the answers — so the tests speak to /api/graphql exactly as rover does.
 */
import type { TestRegistry } from './registry-harness';

export const IS_FEDERATED = `query IsFederatedGraph($graph_id: ID!, $variant: String!) {
  graph(id: $graph_id) {
    variant(name: $variant) {
      subgraphs {
        name
      }
    }
  }
}
`;

export const VARIANT_LIST = `query VariantListQuery($graph_id: ID!) {
  frontendUrlRoot,
  graph(id: $graph_id) {
    variants {
      name
    }
  }
}
`;

export const SUBGRAPH_CHECK = `mutation SubgraphCheckMutation(
  $input: SubgraphCheckAsyncInput!,
  $name: String!,
  $graph_id: ID!
) {
  graph(id: $graph_id) {
    variant(name: $name) {
      submitSubgraphCheckAsync(input: $input) {
        __typename
        ... on CheckRequestSuccess {
          targetURL
          workflowID
        }
        ... on InvalidInputError {
          message
        }
        ... on PermissionError {
          message
        }
        ... on PlanError {
          message
        }
      }
    }
  }
}
`;

export const CHECK_WORKFLOW = `query SubgraphCheckWorkflowQuery($workflowId: ID!, $graphId: ID!) {
  graph(id: $graphId) {
    checkWorkflow(id: $workflowId) {
      status
      tasks {
        __typename
        status
        targetURL
        ... on CompositionCheckTask {
          coreSchemaModified
          result {
            __typename
            errors {
              message
              locations {
                line
                column
              }
              code
            }
          }
        }
        ... on OperationsCheckTask {
          result {
            __typename
            checkSeverity
            numberOfCheckedOperations
            changes {
              severity
              code
              description
            }
          }
        }
        ... on LintCheckTask {
          result {
            __typename
            diagnostics {
              level
              message
              coordinate
              rule
              sourceLocations {
                start {
                  byteOffset
                  column
                  line
                }
                end {
                  byteOffset
                  column
                  line
                }
              }
            }
            stats {
              errorsCount
              warningsCount
            }
          }
        }
        ... on CustomCheckTask {
          result {
            violations {
              coordinate
              level
              message
              rule
              sourceLocations {
                start {
                  byteOffset
                  column
                  line
                }
                end {
                  byteOffset
                  column
                  line
                }
                subgraphName
              }
            }
          }
        }
        ... on ProposalsCheckTask {
          didOverrideProposalsCheckTask
          proposalCoverage
          relatedProposalResults {
            statusAtCheck
            proposal {
              displayName
            }
          }
          severityLevel
        }
        ... on DownstreamCheckTask {
          results {
            __typename
            blocking
            downstreamVariantName
            downstreamWorkflow {
              status
            }
            failsUpstreamWorkflow
          }
        }
      }
    }
  }
}
`;

export const SUBGRAPH_PUBLISH = `mutation SubgraphPublishMutation(
  $graph_id: ID!
  $variant: String!
  $subgraph: String!
  $url: String
  $revision: String!
  $schema: PartialSchemaInput!
  $git_context: GitContextInput!
) {
  graph(id: $graph_id) {
    publishSubgraph(
      name: $subgraph
      url: $url
      revision: $revision
      activePartialSchema: $schema
      graphVariant: $variant
      gitContext: $git_context
      downstreamLaunchInitiation: SYNC
    ) {
      compositionConfig {
        schemaHash
      }
      errors {
        message
        code
      }
      didUpdateGateway: updatedGateway
      serviceWasCreated: wasCreated
      serviceWasUpdated: wasUpdated
      launch {
        id
      }
      launchCliCopy
      launchUrl
    }
  }
}
`;

export const LAUNCH_STATUS = `query SubgraphPublishLaunchStatusQuery(
  $graph_id: ID!
  $variant: String!
  $launch_id: ID!
) {
  graph(id: $graph_id) {
    variant(name: $variant) {
      launch(id: $launch_id) {
        id
        graphId
        graphVariant
        status
        downstreamLaunches {
          id
          graphId
          graphVariant
          status
        }
      }
    }
  }
}
`;

export const ROUTING_URL = `query SubgraphRoutingUrlQuery($graph_ref: ID!, $subgraph_name: ID!) {
  variant(ref: $graph_ref) {
    __typename
    ... on GraphVariant {
      subgraph(name: $subgraph_name) {
        url
      }
    }
  }
}`;

export const SUBGRAPH_FETCH = `query SubgraphFetchQuery($graph_ref: ID!, $subgraph_name: ID!) {
  variant(ref: $graph_ref) {
    __typename
    ... on GraphVariant {
      subgraph(name: $subgraph_name) {
        url,
        activePartialSchema {
          sdl
        }
      }
      subgraphs {
        name
      }
    }
  }
}
`;

export const SUBGRAPH_FETCH_ALL = `query SubgraphFetchAllQuery($graph_ref: ID!) {
  variant(ref: $graph_ref) {
    __typename
    ... on GraphVariant {
      subgraphs {
        name
        url
        activePartialSchema {
          sdl
        }
      }
      latestLaunch {
        buildInput {
          __typename
          ... on CompositionBuildInput {
            version
          }
        }
      }
      sourceVariant {
        subgraphs {
          name
          url
          activePartialSchema {
            sdl
          }
        }
        latestLaunch {
          buildInput {
            __typename
            ... on CompositionBuildInput {
              version
            }
          }
        }
      }
    }
  }
}
`;

export const SUBGRAPH_LIST = `query SubgraphListQuery($graph_id: ID!, $variant: String!) {
  frontendUrlRoot
  graph(id: $graph_id) {
    variant(name: $variant) {
      subgraphs {
        name
        url
        updatedAt
      }
    }
  }
}
`;

export const SUPERGRAPH_FETCH = `query SupergraphFetchQuery($graph_id: ID!, $variant: String!) {
  frontendUrlRoot
  graph(id: $graph_id) {
    variants {
      name
    }
    variant(name: $variant) {
      latestApprovedLaunch {
        build {
          result {
            __typename
            ...on BuildFailure {
              errorMessages {
                message
                code
              }
            }
            ...on BuildSuccess {
              coreSchema {
                coreDocument
              }
            }
          }
        }
      }
    }
  }
}
`;

export const WHO_AM_I = `query ConfigWhoAmIQuery {
  me {
    __typename
    ... on Graph {
      title
    }
    id
    asActor {
      type
    }
  }
}
`;

export interface GraphQLBody<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One request as rover makes it: POST, `x-api-key`, rover's client headers. */
export async function roverRequest<T = any>(
  t: TestRegistry,
  query: string,
  variables: Record<string, unknown>,
  key: string | null = t.keys.all,
): Promise<{ status: number; body: GraphQLBody<T> }> {
  const response = await fetch(`${t.registry.baseUrl}/api/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'apollographql-client-name': 'rover',
      'apollographql-client-version': '0.37.0',
      ...(key === null ? {} : { 'x-api-key': key }),
    },
    body: JSON.stringify({ query, variables, operationName: /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
}

const splitRef = (ref: string) => {
  const [graph, variant] = ref.split('@') as [string, string];
  return { graph, variant };
};

const gitContext = { branch: 'main', commit: 'abc123', committer: 'ci', remoteUrl: 'https://example.com/shop.git', message: null };

/** rover's `config` for a check: every field present, null unless a flag set it. */
export function checkConfig(overrides: Record<string, unknown> = {}) {
  return {
    queryCountThreshold: null,
    queryCountThresholdPercentage: null,
    from: null,
    to: null,
    excludedClients: null,
    excludedOperationNames: null,
    ignoredOperations: null,
    includedVariants: null,
    ...overrides,
  };
}

export const checkVariables = (ref: string, subgraph: string, sdl: string, config = checkConfig()) => ({
  graph_id: splitRef(ref).graph,
  name: splitRef(ref).variant,
  input: {
    graphRef: ref,
    proposedSchema: sdl,
    gitContext,
    config,
    subgraphName: subgraph,
    isSandbox: false,
    introspectionEndpoint: null,
    isProposal: false,
  },
});

export const publishVariables = (ref: string, subgraph: string, sdl: string, url: string | null) => ({
  graph_id: splitRef(ref).graph,
  variant: splitRef(ref).variant,
  subgraph,
  url,
  revision: '',
  schema: { sdl, hash: null },
  git_context: gitContext,
});

export type RoverCheckVerdict = 'passed' | 'failed: composition' | 'failed: check workflow' | 'error';

/**
 * What `rover subgraph check` concludes from a finished workflow (subgraph/check_workflow/runner.rs):
 * composition errors first (exit 1, "build errors"), then the workflow status — PASSED exits 0,
 * FAILED exits 1, anything else is an unknown status (error).
 */
export function roverVerdict(workflow: { status: string; tasks: { __typename: string; result?: { errors?: unknown[] } | null }[] }): RoverCheckVerdict {
  const composition = workflow.tasks.find((task) => task.__typename === 'CompositionCheckTask');
  if ((composition?.result?.errors ?? []).length > 0) return 'failed: composition';
  if (workflow.status === 'PASSED') return 'passed';
  if (workflow.status === 'FAILED') return 'failed: check workflow';
  return 'error';
}

/** `rover subgraph check <ref> --name <subgraph>`: is-federated query, submission, then the workflow poll. */
export async function roverCheck(t: TestRegistry, ref: string, subgraph: string, sdl: string, config = checkConfig(), key = t.keys.all) {
  const federated = await roverRequest(t, IS_FEDERATED, { graph_id: splitRef(ref).graph, variant: splitRef(ref).variant }, key);
  const submitted = await roverRequest(t, SUBGRAPH_CHECK, checkVariables(ref, subgraph, sdl, config), key);
  const submission = submitted.body.data?.graph?.variant?.submitSubgraphCheckAsync;
  if (submission?.__typename !== 'CheckRequestSuccess') return { federated, submitted, workflow: null, verdict: null };
  const polled = await roverRequest(t, CHECK_WORKFLOW, { workflowId: submission.workflowID, graphId: splitRef(ref).graph }, key);
  const workflow = polled.body.data?.graph?.checkWorkflow;
  return { federated, submitted, polled, workflow, verdict: workflow ? roverVerdict(workflow) : null };
}
