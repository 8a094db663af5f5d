/**
 * Documents rover 0.41.0 sends to Apollo's Platform API, as its source has them (apollographql/rover
 * v0.41.0, crates/rover-client/src/operations/**), for the cases the real rover cannot reach (see
 * rover-api.test.ts); everything rover can reach is tested with rover itself (rover-binary.test.ts).
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

export const CHECK_WORKFLOW_STATUS = `query SubgraphCheckWorkflowStatusQuery($workflowId: ID!, $graphId: ID!) {
  graph(id: $graphId) {
    checkWorkflow(id: $workflowId) {
      status
      tasks {
        __typename
        targetURL
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
            downstreamVariantName
            failsUpstreamWorkflow
          }
        }
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
      'apollographql-client-name': 'rover-client',
      'apollographql-client-version': '0.41.0',
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

/** `rover subgraph check <ref> --name <subgraph>`: is-federated query, submission, status poll, then the workflow. */
export async function roverCheck(t: TestRegistry, ref: string, subgraph: string, sdl: string, config = checkConfig(), key = t.keys.all) {
  const federated = await roverRequest(t, IS_FEDERATED, { graph_id: splitRef(ref).graph, variant: splitRef(ref).variant }, key);
  const submitted = await roverRequest(t, SUBGRAPH_CHECK, checkVariables(ref, subgraph, sdl, config), key);
  const submission = submitted.body.data?.graph?.variant?.submitSubgraphCheckAsync;
  if (submission?.__typename !== 'CheckRequestSuccess') return { federated, submitted, workflow: null, verdict: null };
  const workflowVariables = { workflowId: submission.workflowID, graphId: splitRef(ref).graph };
  // rover polls the status until it leaves PENDING, then reads the whole workflow once.
  const status = await roverRequest(t, CHECK_WORKFLOW_STATUS, workflowVariables, key);
  expect(status.body.data?.graph?.checkWorkflow?.status).not.toBe('PENDING');
  const polled = await roverRequest(t, CHECK_WORKFLOW, workflowVariables, key);
  const workflow = polled.body.data?.graph?.checkWorkflow;
  return { federated, submitted, polled, workflow, verdict: workflow ? roverVerdict(workflow) : null };
}
