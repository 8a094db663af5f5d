import type { ServerResponse } from 'node:http';
import accepts from 'accepts';
import { EngineRefusal, isIncremental } from '../engine/engine';
import { engineRefusal, refusal, refusalBody } from '../errors';
import type { GatewayContext } from '../execution/gateway-context';
import type { OperationEnd, ReportOperation } from '../observability/operation-report';
import type { OperationRunner } from '../pipeline/operation-runner';
import { gatewaySpans } from '../telemetry/gateway-spans';
import { clientApplicationOf } from './client-application';
import { GatewayRequest, HttpStage, sendJson } from './gateway-request';
import { acceptsIncremental, writeIncremental } from './incremental-response';
import { HttpRequestContext } from './request-context';

/**
 * Runs a query or mutation the request pipeline admitted (`req.admitted`) and answers with its
 * result: 200 with `data` and any `errors` at their paths, as GraphQL over HTTP has it. A
 * mutation over GET is refused (405), since GET must not change anything. A client that takes
 * incremental delivery (multipart/mixed, deferSpec=20220824) gets an operation with an active
 * @defer in parts; any other client gets its deferred fragments in the one result.
 */
export function serveOperation(runner: OperationRunner, report: ReportOperation): HttpStage {
  return async (req, res, next) => {
    const admitted = req.admitted;
    if (!admitted) return next();
    if (req.method === 'GET' && admitted.operation.operation === 'mutation') {
      res.setHeader('allow', 'POST');
      const refused = refusal('MUTATION_OVER_GET', 'mutations are sent with POST only');
      reportEnd(report, req, refused.errors, clientApplicationOf((name) => req.header(name)));
      return answer(res, 405, refusalBody(refused));
    }
    const context = contextOf(req);
    let result;
    try {
      const incremental = acceptsIncremental(req.header('accept'));
      const run = () => runner.execute(admitted, context, { incremental });
      result = await (gatewaySpans ? gatewaySpans.operation(admitted.operation.operation, admitted.operation.name?.value ?? admitted.operationName, run) : run());
    } catch (err) {
      if (err instanceof EngineRefusal) {
        const refused = engineRefusal(err.code, err.message);
        reportEnd(report, req, refused.errors, context.client);
        return answer(res, refused.status, refusalBody(refused), req);
      }
      req.log.error({ err }, 'the operation failed');
      const failed = refusal('INTERNAL_SERVER_ERROR', `the gateway failed to run the operation; request id ${req.requestId}`);
      reportEnd(report, req, failed.errors, context.client);
      return answer(res, 500, refusalBody(failed), req);
    }
    if (isIncremental(result)) {
      reportEnd(report, req, result.initial.errors, context.client);
      return writeIncremental(res, result, req.log);
    }
    reportEnd(report, req, result.errors, context.client);
    answer(res, 200, result, req);
  };
}

/** Tells the operation's end to the report: its duration from the request's arrival, its errors, its client. */
function reportEnd(report: ReportOperation, req: GatewayRequest, errors: OperationEnd['errors'], client: OperationEnd['client']): void {
  report({ startedAt: req.startedAt ?? performance.now(), admitted: req.admitted, errors, client, log: () => req.log });
}

export function contextOf(req: GatewayRequest): GatewayContext {
  return new HttpRequestContext(req);
}

const graphqlResponseJson = 'application/graphql-response+json';

/** JSON as the client accepts it: application/graphql-response+json when it prefers that, else application/json. */
function answer(res: ServerResponse, status: number, body: unknown, req?: GatewayRequest): void {
  sendJson(res, status, body, req && prefersGraphqlResponseJson(req) ? graphqlResponseJson : 'application/json');
}

/** Whether the client's Accept header prefers application/graphql-response+json to application/json (most send neither). */
function prefersGraphqlResponseJson(req: GatewayRequest): boolean {
  const accept = req.headers.accept;
  if (accept === undefined || !/graphql-response/i.test(accept)) return false;
  return accepts(req).type(['application/json', graphqlResponseJson]) === graphqlResponseJson;
}
